"""Errors the domain raises when asked to hold impossible data or make an illegal move."""

from __future__ import annotations


class DomainError(ValueError):
    """A request the incident model refuses; the message is written for the person who made it."""


class IllegalTransition(DomainError):
    """A lifecycle move that the incident's current status does not allow."""
