from django.http import JsonResponse
from django.views.decorators.http import require_GET

from hamlets.permissions import can_see_unit

from . import indicators


@require_GET
def indicators_api(request):
    """GET /api/v1/indicators: the JSON of the `indicators` command."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Cần đăng nhập."}, status=401)
    by_child = request.GET.get("by_child", "") in ("1", "true", "yes")
    try:
        unit, day, area = indicators.parse_arguments(
            unit=request.GET.get("unit"), as_of=request.GET.get("as_of"), area=request.GET.get("area")
        )
    except indicators.BadArgument as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if not can_see_unit(request.user, unit):
        # 404, not 403: a unit outside the user's scope is not theirs to know about.
        return JsonResponse({"error": "Không tìm thấy đơn vị trong phạm vi của bạn."}, status=404)
    return JsonResponse(indicators.compute(unit, day, area, by_child), json_dumps_params={"ensure_ascii": False})
