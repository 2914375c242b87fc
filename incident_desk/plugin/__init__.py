"""Plugin system (pluggy): hook specifications and the typed facade the app calls them through."""
