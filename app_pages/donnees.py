"""Données: the layer catalogue, the import wizard and the history of each layer.

Everyone sees the catalogue and the history of each layer. Imports (upload, layer,
automatic mapping, adjusted mapping, validation report, commit) and restoring a
revision are for signed-in editors: an uploaded file is hostile until read, and
reading one costs the server time and memory, so a viewer is not even offered the
upload. The import itself is :func:`atlas.ingest.import_file`: the page keeps the
plan and the uploaded bytes between reruns, and the file is on disk only while it
is read (:mod:`.uploads`). Every error reaches the page as a sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import cache, state, uploads
from app_pages.auth import require_editor
from app_pages.state import tr
from app_pages.text import error_sentence, literal, tr_literal
from atlas import Atlas, ImportPlan
from atlas.choices import UPLOAD_EXTENSIONS, WRITE_MODES
from atlas.crs import EXAMPLE_CRS
from atlas.errors import AtlasError
from atlas.ingest import import_file
from atlas.names import TERRITORIES
from atlas.snapshot import AtlasSnapshot

UPLOAD_KEY = "import_upload"
LAYER_KEY = "import_layer"
MODE_KEY = "import_mode"
SKIP_KEY = "import_skip"
DROP_KEY = "import_drop_duplicates"
CRS_KEY = "import_crs"
LEVEL_KEY = "import_level"
MAPPING_KEY = "import_mapping"
#: Provenance kept with the revision (optional: file name and file date otherwise).
PROVENANCE_KEYS = {"source": "import_prov_source", "licence": "import_prov_licence",
                   "as_of": "import_prov_as_of"}
MESSAGE_KEY = "donnees_message"
HISTORY_LAYER_KEY = "history_layer"
RESTORE_KEY = "restore_revision"
CONFIRM_KEY = "restore_confirm"
UNMAPPED = ""


def _message() -> None:
    """Show (once) what the last write did."""
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        getattr(st, message[0])(message[1])


def _when(value: object) -> str:
    text = str(value or "")
    return f"{state.date(text)} {text[11:16]}".strip() if text else "–"


# -- catalogue ----------------------------------------------------------------------------

def _catalogue(opened: AtlasSnapshot, url: str, revision: int, lang: str) -> None:
    table = cache.layers_table(url, revision, lang)
    st.dataframe(pd.DataFrame({
        tr("donnees.col_title"): table["title"],
        tr("donnees.col_layer"): table["layer"],
        tr("donnees.col_geometry"): table["geometry"],
        tr("donnees.col_count"): [state.number(v, 0) for v in table["count"]],
        tr("donnees.col_revision"): [str(int(v)) if pd.notna(v) else "–"
                                     for v in table["revision"]],
        tr("donnees.col_updated"): [_when(v) for v in table["updated"]],
        tr("donnees.col_source"): table["source"].fillna(""),
        tr("donnees.col_licence"): table["licence"].fillna(""),
    }), hide_index=True, width="stretch")
    for name, spec in opened.catalog.items():
        with st.expander(literal(f"{spec.title(lang)} — {name}")):
            st.dataframe(pd.DataFrame({
                tr("donnees.col_field"): [f.name for f in spec.fields],
                tr("donnees.col_title"): [f.title(lang) for f in spec.fields],
                tr("donnees.col_type"): [f.type for f in spec.fields],
                tr("donnees.col_unit"): [f.unit or "" for f in spec.fields],
                tr("donnees.col_required"): [tr("yes") if f.required else ""
                                             for f in spec.fields],
            }), hide_index=True, width="stretch")
            if spec.geometry == "Point":
                _form_download(url, name, lang)


def _form_download(url: str, layer: str, lang: str) -> None:
    """The layer's survey form (XLSForm), drawn from the catalogue when the button is hit.

    The form is built in the download's own thread (a callable), so the catalogue tab
    pays nothing for the forms nobody asks for.
    """
    langs = "fr,en" if lang == "fr" else "en,fr"

    def build() -> bytes:
        from atlas.forms import form

        return form(url, layer, langs=langs).xlsx_bytes()

    st.download_button(
        tr("donnees.form_download"), build, file_name=f"formulaire_{layer}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"form_{layer}", on_click="ignore", help=tr("donnees.form_help"))


# -- import ---------------------------------------------------------------------------------

def _forget_plan() -> None:
    """Drop the plan and the uploaded bytes it keeps."""
    st.session_state[state.PLAN] = None
    st.session_state.pop(MAPPING_KEY, None)


class _ReadProgress:
    """A progress bar for a long read, redrawn only when its percentage changes.

    It stays on the page once full, above the report, until the next rerun.
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar = st.progress(0, text=label)
        self.shown = 0

    def __call__(self, fraction: float) -> None:
        percent = int(min(1.0, max(0.0, float(fraction))) * 100)
        if percent != self.shown:
            self.shown = percent
            self.bar.progress(percent, text=f"{self.label} {percent} %")


def _plan(opened: Atlas, planned: dict[str, Any], lang: str,
          progress: Callable[[float], None] | None = None) -> None:
    """(Re)plan the uploaded file with the chosen options and mapping overrides.

    The file is on disk only inside this call; whatever goes wrong while reading a
    hostile file becomes a sentence in ``planned["error"]``.
    """
    planned["plan"] = None
    planned["error"] = None
    try:
        with uploads.staged(planned["name"], planned["data"]) as path:
            planned["plan"] = import_file(
                opened, path, planned["layer"], mode=planned["mode"],
                mapping=planned["overrides"] or None, crs=planned["crs"] or None,
                skip_invalid=planned["skip"], lang=lang, level=planned.get("level"),
                constants=planned.get("constants") or None,
                drop_duplicates=planned.get("drop", False),
                progress=progress, **planned.get("provenance", {}))
    except Exception as exc:  # noqa: BLE001 - a hostile file must not break the page
        planned["error"] = error_sentence(exc, file=planned["name"])


def _analyse(opened: Atlas, lang: str) -> None:
    """Plan the uploaded file (editors only: checked here, not only by the page)."""
    uploaded = st.session_state.get(UPLOAD_KEY)
    _forget_plan()
    if uploaded is None or not state.editor():
        return
    planned: dict[str, Any] = {
        "name": uploads.safe_name(uploaded.name), "data": b"", "plan": None, "error": None,
        "layer": st.session_state[LAYER_KEY], "mode": st.session_state[MODE_KEY],
        "skip": bool(st.session_state.get(SKIP_KEY)),
        "drop": bool(st.session_state.get(DROP_KEY)), "constants": {},
        "crs": (st.session_state.get(CRS_KEY) or "").strip(), "overrides": {},
        "level": st.session_state.get(LEVEL_KEY)
        if st.session_state[LAYER_KEY] == TERRITORIES else None,
        "provenance": {name: (st.session_state.get(key) or "").strip() or None
                       for name, key in PROVENANCE_KEYS.items()}}
    st.session_state[state.PLAN] = planned
    try:
        uploads.check_size(planned["name"], int(uploaded.size))
    except AtlasError as exc:
        planned["error"] = error_sentence(exc)
        return
    planned["data"] = uploaded.getvalue()
    # The readers report the fraction of the file read: a big file shows its progress.
    _plan(opened, planned, lang, _ReadProgress(tr("safety.analysing")))


def source_columns(plan: ImportPlan) -> list[str]:
    """Columns of the file(s) of an import plan, each once, for adjusting the mapping."""
    columns = [str(c) for item in plan.files for c in item.source.frame.columns]
    return list(dict.fromkeys(columns))


def _mapping_editor(opened: Atlas, planned: dict[str, Any], lang: str) -> None:
    plan = planned["plan"]
    spec = opened.spec(planned["layer"])
    columns = source_columns(plan)
    current = plan.mapping
    constants = planned.get("constants") or {}
    table = pd.DataFrame({
        "field": list(spec.field_names),
        "title": [f.title(lang) for f in spec.fields],
        "column": [UNMAPPED if name in constants else current.get(name, UNMAPPED)
                   for name in spec.field_names],
        # --set: one value for every row (a borehole list without a state column)
        "constant": [constants.get(name, "") for name in spec.field_names],
    })
    st.data_editor(
        table, key=MAPPING_KEY, hide_index=True, width="stretch", disabled=["field", "title"],
        column_config={
            "field": st.column_config.TextColumn(tr("donnees.col_field")),
            "title": st.column_config.TextColumn(tr("donnees.col_title")),
            "column": st.column_config.SelectboxColumn(tr("donnees.col_column"),
                                                       options=[UNMAPPED, *columns]),
            "constant": st.column_config.TextColumn(tr("donnees.col_constant"),
                                                    help=tr("donnees.col_constant_help")),
        })
    st.button(tr("donnees.apply_mapping"), key="apply_mapping", on_click=_apply_mapping,
              args=(opened, lang))


def _apply_mapping(opened: Atlas, lang: str) -> None:
    """Re-plan with the columns chosen in the mapping table (a callback, before the run)."""
    planned = st.session_state.get(state.PLAN)
    edits = (st.session_state.get(MAPPING_KEY) or {}).get("edited_rows", {})
    if not planned or planned.get("plan") is None or not state.editor():
        return
    names = opened.spec(planned["layer"]).field_names
    overrides = dict(planned["overrides"])
    constants = dict(planned.get("constants") or {})
    for index, change in edits.items():
        if not 0 <= int(index) < len(names):
            continue
        name = names[int(index)]
        if "column" in change:
            value = change["column"]
            overrides[name] = value if isinstance(value, str) and value else None
        if "constant" in change:
            value = change["constant"]
            if isinstance(value, str) and value.strip():
                constants[name] = value.strip()
            else:
                constants.pop(name, None)
    planned["overrides"] = {k: v for k, v in overrides.items() if k not in constants}
    planned["constants"] = constants
    _plan(opened, planned, lang)
    st.session_state.pop(MAPPING_KEY, None)


def _report(planned: dict[str, Any], lang: str) -> None:
    plan = planned["plan"]
    counts = plan.counts
    figures = st.columns(4)
    figures[0].metric(tr("donnees.rows"), state.number(len(plan.frame), 0))
    figures[1].metric(tr("donnees.valid_rows"), state.number(len(plan.valid_frame), 0))
    figures[2].metric(tr("donnees.errors"), state.number(counts["error"], 0))
    figures[3].metric(tr("donnees.warnings"), state.number(counts["warning"], 0))
    if plan.ok:
        st.success(tr("donnees.plan_ok"))
    else:
        st.error(tr("donnees.plan_blocked"))
    report = plan.report.to_grouped_frame(lang)  # identical issues on one line
    if not report.empty:
        report["severity"] = report["severity"].map(
            lambda s: tr(f"donnees.severity_{s}") if s in ("error", "warning") else s)
        report = report.drop(columns=["code"], errors="ignore").rename(columns={
            "file": tr("donnees.col_file"), "severity": tr("donnees.col_severity"),
            "count": tr("donnees.col_issue_count"), "rows": tr("donnees.col_row"),
            "field": tr("donnees.col_field"),
            "value": tr("donnees.col_value"), "message": tr("donnees.col_message"),
            "hint": tr("donnees.col_hint")})
        st.dataframe(report, hide_index=True, width="stretch")


def _commit_clicked(opened: Atlas) -> None:
    """Write the planned rows (a callback; checks the sign-in again, not only the button)."""
    planned = st.session_state.get(state.PLAN)
    user = state.editor()
    if not user or not planned or planned.get("plan") is None:
        st.session_state[MESSAGE_KEY] = ("error", tr("auth.required"))
        return
    try:
        revision = planned["plan"].commit(user=user)
    except Exception as exc:  # noqa: BLE001 - said in a sentence, never a traceback
        st.session_state[MESSAGE_KEY] = ("error", error_sentence(exc))
        return
    st.session_state[MESSAGE_KEY] = ("success", tr_literal(
        "donnees.committed", revision=revision.revision, rows=revision.rows_written,
        layer=opened.spec(revision.layer).title(state.lang())))
    _forget_plan()


def _commit(opened: Atlas, planned: dict[str, Any]) -> None:
    user = require_editor()
    st.button(tr("donnees.commit"), key="commit_import", type="primary",
              disabled=not user or not planned["plan"].ok, on_click=_commit_clicked,
              args=(opened,))


def _upload_limit_mb() -> int:
    """The import limit for the upload widget (no more than the server accepts)."""
    return min(uploads.limit_mb(), int(st.get_option("server.maxUploadSize")))


def _import(opened: Atlas, view: AtlasSnapshot, lang: str) -> None:
    if not state.editor():
        _forget_plan()  # e.g. signed out since the analysis
        st.info(tr("safety.needs_editor"))
        return
    st.file_uploader(tr("donnees.file"), type=list(UPLOAD_EXTENSIONS), key=UPLOAD_KEY,
                     help=tr("donnees.file_help", limit=_upload_limit_mb()),
                     max_upload_size=_upload_limit_mb())
    options = st.columns([3, 3, 2])
    catalog = view.catalog
    titles = {name: spec.title(lang) for name, spec in catalog.items()}
    options[0].selectbox(tr("donnees.layer"), list(catalog), key=LAYER_KEY,
                         format_func=titles.get)
    options[1].radio(tr("donnees.mode"), WRITE_MODES, key=MODE_KEY, horizontal=True,
                     format_func=state.labels("donnees.mode_", WRITE_MODES).__getitem__)
    options[2].text_input(tr("donnees.crs"), key=CRS_KEY, placeholder=EXAMPLE_CRS)
    if st.session_state.get(LAYER_KEY) == TERRITORIES:
        # A boundary file is one level of the tree: which one (région, commune...)?
        tree = view.territories
        names = {lv: tree.level_name(lv, lang).capitalize() for lv in tree.levels}
        st.selectbox(tr("donnees.level"), list(names), key=LEVEL_KEY, format_func=names.get)
    checks = st.columns(2)
    checks[0].checkbox(tr("donnees.skip_invalid"), key=SKIP_KEY)
    checks[1].checkbox(tr("donnees.drop_duplicates"), key=DROP_KEY,
                       help=tr("donnees.drop_duplicates_help"))
    for column, (name, key) in zip(st.columns(3), PROVENANCE_KEYS.items(), strict=True):
        column.text_input(tr(f"donnees.prov_{name}"), key=key,
                          help=tr(f"donnees.prov_{name}_help") if name != "licence" else None)
    buttons = st.columns([1, 1, 3])
    if buttons[0].button(tr("donnees.analyse"), key="analyse_import", type="primary",
                         disabled=st.session_state.get(UPLOAD_KEY) is None):
        # In the run, not in a callback: the page shows how far the reading is.
        _analyse(opened, lang)
    planned = st.session_state.get(state.PLAN)
    buttons[1].button(tr("donnees.reset"), key="reset_import", on_click=_forget_plan,
                      disabled=planned is None)
    if not planned:
        return
    st.subheader(tr_literal("donnees.plan_title", file=planned["name"],
                            layer=titles.get(planned["layer"], planned["layer"])))
    if planned.get("error"):
        st.error(planned["error"])
        return
    st.markdown(f"**{tr('donnees.mapping_title')}**")
    _mapping_editor(opened, planned, lang)
    st.markdown(f"**{tr('donnees.report_title')}**")
    _report(planned, lang)
    _commit(opened, planned)


# -- history ---------------------------------------------------------------------------------

def _history(opened: Atlas, view: AtlasSnapshot, url: str, revision: int,
             lang: str) -> None:
    catalog = view.catalog
    titles = {name: spec.title(lang) for name, spec in catalog.items()}
    layer = st.selectbox(tr("donnees.layer"), list(catalog), key=HISTORY_LAYER_KEY,
                         format_func=titles.get)
    table = cache.history_table(url, revision, layer)
    if table.empty:
        st.info(tr("donnees.no_history"))
        return
    st.dataframe(pd.DataFrame({
        tr("donnees.col_revision"): table["revision"].astype(int),
        tr("donnees.col_when"): [_when(v) for v in table["created_at"]],
        tr("donnees.col_user"): table["user"],
        tr("donnees.col_mode"): [tr(f"donnees.mode_{m}") if m in (*WRITE_MODES, "restore")
                                 else str(m) for m in table["mode"]],
        tr("donnees.col_count"): [state.number(v, 0) for v in table["row_count"]],
        tr("donnees.col_source"): table["cited_source"].fillna(""),
        tr("donnees.prov_licence"): table["licence"].fillna(""),
        tr("donnees.prov_as_of"): table["as_of"].fillna(""),
    }), hide_index=True, width="stretch")
    st.markdown(f"**{tr('donnees.restore_title')}**")
    user = require_editor()
    revisions = [int(r) for r in table["revision"]][1:]
    if not revisions:
        st.caption(tr("donnees.nothing_to_restore"))
        return
    described = {int(row.revision): f"{int(row.revision)} · {_when(row.created_at)} · "
                                    f"{row.user} · {state.number(row.row_count, 0)}"
                 for row in table.itertuples()}
    chosen = st.selectbox(tr("donnees.restore_revision"), revisions, key=RESTORE_KEY,
                          disabled=not user, format_func=described.get)
    confirmed = st.checkbox(tr("donnees.restore_confirm"), key=CONFIRM_KEY, disabled=not user)
    st.button(tr("donnees.restore"), key="restore_layer", type="primary",
              disabled=not user or not confirmed, on_click=_restore_clicked,
              args=(opened, layer, int(chosen)))


def _restore_clicked(opened: Atlas, layer: str, revision: int) -> None:
    """Restore a revision (a callback; checks the sign-in and the confirmation again)."""
    user = state.editor()
    if not user or not st.session_state.get(CONFIRM_KEY):
        st.session_state[MESSAGE_KEY] = ("error", tr("auth.required"))
        return
    try:
        new = opened.restore(layer, revision, user=user)
    except Exception as exc:  # noqa: BLE001 - said in a sentence, never a traceback
        st.session_state[MESSAGE_KEY] = ("error", error_sentence(exc))
    else:
        st.session_state[MESSAGE_KEY] = ("success", tr(
            "donnees.restored", revision=revision, new=new.revision))
    st.session_state[CONFIRM_KEY] = False


def render() -> None:
    """The Données page."""
    opened, view = cache.current(), cache.snapshot()  # writes, and this run's reads
    url, revision, lang = cache.atlas_url(), view.revision, state.lang()
    st.title(tr("donnees.title"))
    _message()
    catalogue_tab, import_tab, history_tab = st.tabs(
        [tr("donnees.catalogue_tab"), tr("donnees.import_tab"), tr("donnees.history_tab")])
    with catalogue_tab:
        _catalogue(view, url, revision, lang)
    with import_tab:
        _import(opened, view, lang)
    with history_tab:
        _history(opened, view, url, revision, lang)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
