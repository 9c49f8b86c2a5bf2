"""One screen per module; each is imported when first shown, so only the dashboard is on the startup path."""
