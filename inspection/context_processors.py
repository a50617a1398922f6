def navigation(request) -> dict:
    """What the header needs to decide which links to show."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_manager": user.is_manager or user.is_superuser,
        "nav_is_admin": user.is_staff,
    }
