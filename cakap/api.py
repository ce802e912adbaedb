"""The REST API under /api/v1/: one NinjaAPI, one router per app.

Callers authenticate with `Authorization: Bearer <key>` (keys from
cakap.people.tokens) or, for the docs page, the browser session with CSRF.
The docs page and its assets are served by the app itself, no CDN.
"""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router, Swagger

from cakap.attendance.api import router as attendance_router
from cakap.attendance.notices_api import router as attendance_notices_router
from cakap.competence.api import router as competence_router
from cakap.core.api_support import install_error_handlers
from cakap.notices.api import router as notices_router
from cakap.people.api import router as people_router
from cakap.people.identity import default_auth
from cakap.programmes.api import router as programmes_router
from cakap.programmes.api.bulk import router as programmes_bulk_router

api = NinjaAPI(
    title="Cakap API",
    version="1",
    description=(
        "Units, people, programmes, groups, enrolments and sessions of Cakap. "
        "Authenticate with `Authorization: Bearer <key>`; an administrator issues keys "
        "with `manage.py issue_api_token EMAIL NAME`. Errors answer "
        '`{"code": ..., "message": ...}` in the language of `Accept-Language` '
        "(Indonesian by default). Times are ISO 8601 with an offset, shown in WIB."
    ),
    urls_namespace="api",
    auth=default_auth(),
    # The validator badge would call validator.swagger.io: no outside calls from the docs.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
install_error_handlers(api)
api.add_router("", people_router)
api.add_router("", programmes_router)
api.add_router("", programmes_bulk_router)  # many enrolments at once, same tag
api.add_router("/competence/", competence_router)
api.add_router("/attendance/", attendance_router)
api.add_router("/notices/", notices_router)
api.add_router("/notices/", attendance_notices_router)  # a programme's log, same tag

# Last, so that it only catches what no route matched: a JSON 404, not the HTML page.
_fallback = Router()


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False, auth=None
)
def no_such_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    raise Http404


api.add_router("", _fallback)
