"""The stage factory table: the only module that knows every stage.

Stage modules are imported lazily, when a pipeline that uses them is built.
"""

from __future__ import annotations

#: Versioned factory names -> "module:function". A user settings file refers to these.
FACTORIES: dict[str, str] = {
    "newsgraph.clean.v1": "newsgraph.stages.clean:make_stage",
    "newsgraph.parse.v1": "newsgraph.stages.parse:make_stage",
    "newsgraph.entities.v1": "newsgraph.stages.entities:make_stage",
    "newsgraph.times.v1": "newsgraph.stages.times:make_stage",
    "newsgraph.places.v1": "newsgraph.stages.places:make_stage",
    "newsgraph.attributions.v1": "newsgraph.stages.attributions:make_stage",
    "newsgraph.events.v1": "newsgraph.stages.events:make_stage",
}
