"""The weekly letter ("Wochenbrief"): each mentee's week, her mentor's view of her tandem
partners and the coordinator's digest, by e-mail.

``optin`` records who agreed to it (with its history), ``weeks`` says which seven days a
letter covers and when it is due, ``letter_figures`` takes every figure from the cohort
summary and the metrics, ``compose`` writes the HTML and plain-text message with its inline
chart (``chart_png``), ``tokens`` signs the unsubscribe link, ``smtp`` checks the settings and
talks to the server, and ``delivery`` sends each letter exactly once.
"""
