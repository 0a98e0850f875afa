/* Plotly's German locale: toolbar, dates and numbers in charts for German viewers.
   The page loads this before plotly.js: it registers once the page's scripts have run. */
(function () {
  function register() {
    if (!window.Plotly || !window.Plotly.register) { return; }
    window.Plotly.register(LOCALE);
  }
  var LOCALE = ({
    moduleType: "locale",
    name: "de",
    dictionary: {
      "Autoscale": "Automatische Skalierung",
      "Box Select": "Rechteckauswahl",
      "Click to enter Colorscale title": "Klicken, um den Farbskalentitel einzugeben",
      "Click to enter Plot title": "Klicken, um den Titel einzugeben",
      "Click to enter X axis title": "Klicken, um den Titel der X-Achse einzugeben",
      "Click to enter Y axis title": "Klicken, um den Titel der Y-Achse einzugeben",
      "Compare data on hover": "Werte beim Überfahren vergleichen",
      "Double-click on legend to isolate one trace": "Doppelklick auf die Legende zeigt nur diese Linie",
      "Double-click to zoom back out": "Doppelklick zum Herauszoomen",
      "Download plot as a png": "Als PNG-Bild herunterladen",
      "Download plot as a PNG": "Als PNG-Bild herunterladen",
      "Download plot": "Als Bild herunterladen",
      "Lasso Select": "Lassoauswahl",
      "Pan": "Verschieben",
      "Reset axes": "Ansicht zurücksetzen",
      "Reset view": "Ansicht zurücksetzen",
      "Show closest data on hover": "Nächsten Wert beim Überfahren zeigen",
      "Snapshot succeeded": "Bild gespeichert",
      "Sorry, there was a problem downloading your snapshot!": "Das Bild konnte leider nicht gespeichert werden.",
      "Taking snapshot - this may take a few seconds": "Bild wird erstellt, das kann einige Sekunden dauern",
      "Toggle Spike Lines": "Hilfslinien ein/aus",
      "Zoom": "Zoomen",
      "Zoom in": "Hineinzoomen",
      "Zoom out": "Herauszoomen",
      "close:": "Schluss:",
      "high:": "Hoch:",
      "low:": "Tief:",
      "open:": "Eröffnung:",
      "trace": "Linie",
      "new text": "Neuer Text"
    },
    format: {
      days: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
      shortDays: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
      months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
        "September", "Oktober", "November", "Dezember"],
      shortMonths: ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt",
        "Nov", "Dez"],
      date: "%d.%m.%Y",
      decimal: ",",
      thousands: "."
    }
  });
  if (window.Plotly) { register(); } else { document.addEventListener("DOMContentLoaded", register); }
})();
