"""Dialogs: declare an incident, settings. Opened with open(), never exec(), so nothing blocks."""
