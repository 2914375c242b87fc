"""The bounded field types of the models (`domain/validation.py` holds the checks they apply, without pydantic)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field

from .validation import MAX_AMOUNT, MAX_COUNT, check_date

SaneDate = Annotated[date, AfterValidator(check_date)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
