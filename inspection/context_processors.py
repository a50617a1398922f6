from . import permissions


def navigation(request) -> dict:
    """What every page needs to decide which links to show, asked of inspection.permissions."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_manager": permissions.may_see_dashboards(user),
        "nav_is_admin": permissions.may_use_admin(user),
        "nav_edits_frameworks": permissions.may_edit_frameworks(user),
        "sees_every_inspection": permissions.sees_every_inspection(user),
    }
