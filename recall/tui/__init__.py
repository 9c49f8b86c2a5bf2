"""The Textual study app: `RecallApp` in app.py, one module per screen and per widget, one stylesheet."""
