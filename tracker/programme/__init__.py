"""The programme: its structure, roster import, logins, tandem goals, counts entered by hand,
the self-assessment questionnaire and rounds, and the people overview of the administration."""
