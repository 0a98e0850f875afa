"""The programme: its structure, roster import, logins and tandem goals."""
