"""The profile part of "download all my data"."""

from accounts.models import User


def export_user_data(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "birth_year": user.birth_year,
        "role": user.role,
        "date_joined": user.date_joined.isoformat(),
    }


def export_user_files(user: User):
    return []
