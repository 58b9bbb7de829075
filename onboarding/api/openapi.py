"""The OpenAPI 3.1 description of /api/v1."""
from ..activity.criteria import CRITERIA, VERDICTS

ERROR = {"$ref": "#/components/schemas/Error"}


def _answer(description, schema=None):
    body = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def _errors(*codes):
    texts = {401: "No valid bearer token.", 403: "The caller may not see this.", 404: "No such trainee."}
    return {str(c): _answer(texts[c], ERROR) for c in codes}


_COUNT = {"type": "integer", "minimum": 0}
FUNNEL = {
    "type": "object",
    "description": "The funnel over the whole ledger, from the start date: new prospects → decision makers "
                   "reached → meetings → applications (proposals) → deals, with the benchmark of at least 1 deal "
                   "in 10 prospects. Applications never exceed prospects, nor deals applications (when every day "
                   "records its prospects); decision makers and meetings count contacts, which repeat.",
    "required": ["prospects", "prospects_unknown_days", "decision_makers", "meetings", "applications", "deals",
                 "deals_per_100_prospects", "deals_per_100_prospects_at_most",
                 "benchmark_deals_per_100_prospects", "meets_benchmark"],
    "properties": {
        "prospects": {**_COUNT, "description": "New prospects (qualified contacts added) on the days that record "
                                               "them; with prospects_unknown_days above 0, the fewest there were."},
        "prospects_unknown_days": {**_COUNT, "description": "Days logged before prospects were recorded: their "
                                                            "prospects are unknown, not 0."},
        "decision_makers": _COUNT, "meetings": _COUNT, "applications": _COUNT, "deals": _COUNT,
        "deals_per_100_prospects": {"type": ["number", "null"],
                                    "description": "Deals per 100 prospects; null before any prospect or while "
                                                   "some days do not know their prospects."},
        "deals_per_100_prospects_at_most": {"type": ["number", "null"],
                                            "description": "With days of unknown prospects: the most the "
                                                           "conversion can be; else null."},
        "benchmark_deals_per_100_prospects": {"type": "number", "const": 10},
        "meets_benchmark": {"type": ["boolean", "null"],
                            "description": "At least 1 deal in 10 prospects (exactly 10 in 100 meets it); null "
                                           "when it cannot be told yet."},
    },
}

_LEVEL = {"type": "integer", "minimum": 1}
CAREER_LEVEL = {
    "type": "object",
    "description": "Where a person approved for independent work stands: they start at level 1 on the day of the "
                   "approval; a head of sales promotes them one level at a time, with the evidence.",
    "required": ["level", "name", "since", "independent_since", "next", "history"],
    "properties": {
        "level": _LEVEL, "key": {"type": ["string", "null"]},
        "name": {"type": ["string", "null"], "description": "null when the content no longer has this level"},
        "since": {"type": "string", "format": "date", "description": "The day the level was reached."},
        "independent_since": {"type": "string", "format": "date",
                              "description": "The day of the approval for independent work."},
        "next": {"type": ["object", "null"], "description": "The next level; null at the highest.",
                 "required": ["level", "name", "minimum_months", "eligible_from"],
                 "properties": {"level": _LEVEL, "key": {"type": "string"}, "name": {"type": "string"},
                                "minimum_months": {"type": "integer", "minimum": 0,
                                                   "description": "Months of independent work it needs."},
                                "eligible_from": {"type": "string", "format": "date",
                                                  "description": "The first day a promotion to it may be "
                                                                 "recorded without an override reason."}}},
        "history": {"type": "array", "description": "Every promotion, oldest first.",
                    "items": {"type": "object", "required": ["from_level", "to_level", "at", "note"],
                              "properties": {"from_level": _LEVEL, "to_level": _LEVEL,
                                             "at": {"type": "string", "format": "date-time"},
                                             "decided_by": {"type": ["string", "null"]},
                                             "note": {"type": "string", "description": "The evidence."},
                                             "override_reason": {"type": ["string", "null"]}}}},
    },
}


def document() -> dict:
    person = {"type": ["object", "null"], "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"},
                                                        "email": {"type": "string"}}}
    summary = {
        "type": "object",
        "required": ["id", "email", "full_name", "status", "current_stage", "progress_percent"],
        "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"}, "full_name": {"type": "string"},
            "status": {"type": "string", "enum": ["in_training", "awaiting_approval", "independent", "extended",
                                                  "withdrawn"]},
            "start_date": {"type": "string", "format": "date"}, "target_date": {"type": "string", "format": "date"},
            "current_stage": {"type": ["integer", "null"], "description": "null once every stage is complete"},
            "progress_percent": {"type": "integer"}, "overdue": {"type": "boolean"}, "mentor": person,
        },
    }
    counter = lambda a, b: {"type": "object", "properties": {a: {"type": "integer"}, b: {"type": "integer"}}}  # noqa: E731
    return {
        "openapi": "3.1.0",
        "info": {"title": "Account manager onboarding API", "version": "1.0.0",
                 "description": "Read-only access to trainees' progress and readiness. Create a token with "
                                "`flask --app app create-token EMAIL` or on the API tokens page, and send it as "
                                "`Authorization: Bearer TOKEN`. Heads of sales and admins see every trainee, "
                                "mentors their own trainees, trainees only themselves."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/me": {"get": {"summary": "The token's owner", "operationId": "me",
                            "responses": {"200": _answer("The caller.", {"$ref": "#/components/schemas/Me"}),
                                          **_errors(401)}}},
            "/trainees": {"get": {
                "summary": "Trainees the caller may see", "operationId": "listTrainees",
                "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                               {"name": "per_page", "in": "query",
                                "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
                "responses": {"200": _answer("A page of trainees.", {"$ref": "#/components/schemas/TraineePage"}),
                              **_errors(401, 403)}}},
            "/trainees/{id}": {"get": {
                "summary": "One trainee's stages, counts, role-play, activity and readiness gates",
                "operationId": "getTrainee",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": _answer("The trainee.", {"$ref": "#/components/schemas/TraineeDetail"}),
                              **_errors(401, 403, 404)}}},
            "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi", "security": [],
                                      "responses": {"200": _answer("The OpenAPI document.", {"type": "object"})}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "status"],
                          "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
                "Me": {"type": "object", "required": ["id", "email", "role"],
                       "properties": {"id": {"type": "integer"}, "email": {"type": "string"},
                                      "full_name": {"type": "string"},
                                      "role": {"type": "string", "enum": ["trainee", "mentor", "head", "admin", "director"]},
                                      "locale": {"type": ["string", "null"]},
                                      "time_zone": {"type": ["string", "null"], "examples": ["Asia/Dubai"],
                                                    "description": "The account's own time zone, an IANA name; "
                                                                   "null: the company's default (MAIL_TIME_ZONE). "
                                                                   "The weekly digest comes on Monday morning in it "
                                                                   "and e-mails show times in it."}}},
                "Funnel": FUNNEL,
                "TraineeSummary": summary,
                "TraineePage": {"type": "object", "required": ["items", "page", "per_page", "total", "pages"],
                                "properties": {"items": {"type": "array",
                                                         "items": {"$ref": "#/components/schemas/TraineeSummary"}},
                                               "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                               "total": {"type": "integer"}, "pages": {"type": "integer"}}},
                "TraineeDetail": {"allOf": [{"$ref": "#/components/schemas/TraineeSummary"}, {
                    "type": "object", "required": ["stages", "role_play", "activity_totals", "gates", "ready"],
                    "properties": {
                        "stages": {"type": "array", "items": {"type": "object", "properties": {
                            "number": {"type": "integer"}, "title": {"type": "string"},
                            "status": {"type": "string", "enum": ["complete", "open", "locked"]},
                            "overdue": {"type": "boolean"},
                            "planned_start": {"type": "string", "format": "date"},
                            "planned_end": {"type": "string", "format": "date"},
                            "completed_on": {"type": ["string", "null"], "format": "date"},
                            "modules": counter("done", "total"), "quizzes": counter("passed", "total"),
                            "checklist": counter("signed", "total")}}},
                        "role_play": {"type": "object", "properties": {
                            "attempts_allowed": {"type": "integer"},
                            "outcome": {"type": "string", "enum": ["passed", "held", "pending"]},
                            "attempts": {"type": "array", "items": {"type": "object", "properties": {
                                "number": {"type": "integer"}, "scenario": {"type": "string"},
                                "scenario_title": {"type": ["string", "null"]},
                                "state": {"type": "string", "enum": ["scheduled", "scored", "cancelled"]},
                                "percent": {"type": ["number", "null"]}, "passed": {"type": ["boolean", "null"]},
                                "scheduled_for": {"type": "string", "format": "date-time"}}}}}},
                        "activity_totals": {"type": "object", "additionalProperties": {"type": "integer"},
                                            "description": "Each ledger figure summed over every day logged. New "
                                                           "prospects are not here: days logged before they were "
                                                           "recorded do not know them; see `funnel`."},
                        "funnel": {"$ref": "#/components/schemas/Funnel"},
                        "gates": {"type": "array", "items": {"type": "object", "required": ["key", "met"],
                                                             "properties": {"key": {"type": "string"},
                                                                            "met": {"type": "boolean"},
                                                                            "reason": {"type": "string"}}}},
                        "ready": {"type": "boolean"},
                        "forecast": {"type": "object", "description": "The projected readiness date from the pace so far.",
                                     "properties": {
                                         "basis": {"type": "string", "enum": ["ready", "projected", "too_early", "targets"]},
                                         "date": {"type": ["string", "null"], "format": "date"},
                                         "target_date": {"type": "string", "format": "date"},
                                         "days_late": {"type": ["integer", "null"]}}},
                        "go_decision": {
                            "type": "object", "required": ["due", "verdict"],
                            "description": "The go / no-go decision after cold calling (stage 2): stage 3 opens "
                                           "only after a go; a no-go ends the training (status withdrawn).",
                            "properties": {"due": {"type": "boolean",
                                                   "description": "Stage 2's work is done and nobody has decided."},
                                           "verdict": {"type": ["string", "null"], "enum": ["go", "no_go", None]},
                                           "note": {"type": ["string", "null"]},
                                           "decided_by": {"type": ["string", "null"]},
                                           "at": {"type": ["string", "null"], "format": "date-time"}}},
                        "recommendation": {"type": ["object", "null"], "description": "The mentor's latest word.",
                                           "properties": {"ready": {"type": "boolean"}, "note": {"type": "string"},
                                                          "mentor": {"type": ["string", "null"]},
                                                          "at": {"type": "string", "format": "date-time"}}},
                        "monthly_plans": {"type": "array", "description": "The stage-4 monthly plans, newest first: "
                                          "each figure's plan against the actual to date (the whole month once it "
                                          "ended), what is left, the pace needed a day and the over-fulfilment.",
                                          "items": {"$ref": "#/components/schemas/MonthlyPlan"}},
                        "moved_deals": {"type": "array", "description": "Deals ready in one month and moved to the "
                                        "next (criterion 6's warning sign).",
                                        "items": {"type": "object", "required": ["day", "client"], "properties": {
                                            "day": {"type": "string", "format": "date"},
                                            "client": {"type": "string"}, "reason": {"type": "string"}}}},
                        "weekly_criteria": {"type": "array", "description": "Every full supervised week against the "
                                            "seven criteria, oldest first.",
                                            "items": {"$ref": "#/components/schemas/CriteriaWeek"}},
                        "career_level": {"oneOf": [{"$ref": "#/components/schemas/CareerLevel"}, {"type": "null"}],
                                         "description": "The career level after independence (content/"
                                                        "career-levels.yaml); null while in training, or when "
                                                        "the content has no career levels."},
                    }}]},
                "CareerLevel": CAREER_LEVEL,
                "MonthlyPlan": {"type": "object", "required": ["month", "currency", "figures", "met"], "properties": {
                    "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                    "currency": {"type": "string"}, "on": {"type": "string", "format": "date"},
                    "figures": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                        "plan": {"type": "integer"}, "actual": {"type": "integer"}, "left": {"type": "integer"},
                        "per_day": {"type": "number"}, "over": {"type": "integer"},
                        "percent": {"type": ["integer", "null"]}}}},
                    "moved_deals": {"type": "integer"}, "met": {"type": "boolean"}}},
                "CriteriaWeek": {"type": "object", "required": ["week_of", "reviewed", "met", "criteria"],
                                 "properties": {
                    "week_of": {"type": "string", "format": "date"}, "reviewed": {"type": "boolean"},
                    "met": {"type": "boolean", "description": "The mentor found all seven criteria met."},
                    "criteria": {"type": "object", "additionalProperties": False,
                                 "properties": {c: {"$ref": "#/components/schemas/CriterionVerdict"}
                                                for c in CRITERIA}}}},
                "CriterionVerdict": {"type": "object", "required": ["prefill", "verdict"], "properties": {
                    "prefill": {"type": ["string", "null"], "enum": [*VERDICTS, None],
                                "description": "What the ledger and the plan say; null: they cannot tell."},
                    "flag": {"type": ["string", "null"], "enum": ["wrong_person", "moved_deals", None]},
                    "data": {"type": "object", "description": "The numbers the prefill reads."},
                    "verdict": {"type": ["string", "null"], "enum": [*VERDICTS, None],
                                "description": "The mentor's verdict; null until the week is reviewed."},
                    "note": {"type": ["string", "null"]}}},
            },
        },
    }
