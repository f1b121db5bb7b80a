"""The swim school's domain: its classes, a registration, form validation and confirmation numbers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "CLASSES",
    "CLASSES_BY_ID",
    "LEVELS",
    "Registration",
    "SwimClass",
    "confirmation_number",
    "flow_code",
    "validate_registration",
]


@dataclass(frozen=True)
class SwimClass:
    class_id: str
    name: str
    day: str
    time: str
    capacity: int
    description: str


CLASSES: tuple[SwimClass, ...] = (
    SwimClass(
        "tue-morning-aquafit",
        "Tuesday morning aqua-fit",
        "Tuesday",
        "09:30 \u2013 10:15",
        14,
        "Low-impact fitness in the warm teaching pool.",
    ),
    SwimClass(
        "tue-evening-swim",
        "Tuesday evening swim",
        "Tuesday",
        "18:30 \u2013 19:15",
        8,
        "Stroke technique in small groups, all levels.",
    ),
    SwimClass(
        "wed-evening-swim",
        "Wednesday evening swim",
        "Wednesday",
        "18:30 \u2013 19:15",
        8,
        "Stroke technique in small groups, all levels.",
    ),
    SwimClass(
        "thu-evening-lengths",
        "Thursday evening lengths",
        "Thursday",
        "19:30 \u2013 20:30",
        20,
        "Supervised lane swimming for confident swimmers.",
    ),
    SwimClass(
        "sat-kids-splash",
        "Saturday kids splash",
        "Saturday",
        "10:00 \u2013 10:45",
        10,
        "Water confidence and games for ages 4 to 8.",
    ),
)
CLASSES_BY_ID: dict[str, SwimClass] = {c.class_id: c for c in CLASSES}

# radio value -> visible label
LEVELS: dict[str, str] = {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Registration:
    """One accepted registration. ``level`` is the radio value (``beginner`` ...), ``class_name`` the label."""

    confirmation: str
    student_name: str
    email: str
    class_id: str
    class_name: str
    level: str
    date_of_birth: str  # YYYY-MM-DD, or "" when not given
    newsletter: bool


def validate_registration(form: Mapping[str, str]) -> dict[str, str]:
    """Field name -> error message for every invalid field of a submitted registration form."""
    errors: dict[str, str] = {}
    if not form.get("student_name", "").strip():
        errors["student_name"] = "Enter the student's name"
    if not _EMAIL.match(form.get("email", "").strip()):
        errors["email"] = "Enter a valid email address, like name@example.com"
    if form.get("class_id", "") not in CLASSES_BY_ID:
        errors["class_id"] = "Choose a class from the list"
    if form.get("level", "") not in LEVELS:
        errors["level"] = "Choose a level"
    dob = form.get("date_of_birth", "").strip()
    if dob:
        try:
            if not _DATE.match(dob):
                raise ValueError(dob)
            dt.date.fromisoformat(dob)
        except ValueError:
            errors["date_of_birth"] = "Enter the date of birth as YYYY-MM-DD"
    if not form.get("consent"):
        errors["consent"] = "You must agree to the pool rules to register"
    return errors


# 104729 is prime and coprime with 10**6, so the first million counters give a million distinct numbers
def confirmation_number(seed: int, counter: int) -> str:
    return f"SWM-{(seed + counter * 104729) % 1_000_000:06d}"


def flow_code(seed: int, steps: int) -> str:
    """The completion code of the generated ``/gen/<steps>`` flow."""
    return f"GEN-{(seed * 7 + steps * 7919 + 271828) % 1_000_000:06d}"
