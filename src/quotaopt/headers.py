"""The one header vocabulary: every Chinese column header quotaopt reads or writes.

* :data:`ALLOCATION_ZH` — the allocation (and units) columns: the workbook quotaopt writes
  with ``--lang zh`` uses them, ``quotaopt audit`` reads a plan with them, and a units table
  may use them (:data:`UNIT_ALIASES_ZH` adds the other spellings a units table may have).
* :data:`LABELS_ZH`, :data:`STATUS_ZH` — the comparison workbook's other headers and its
  status values.

A constant module: it imports nothing from quotaopt, so any layer may use it.
"""

from __future__ import annotations

#: Allocation column -> its Chinese header.
ALLOCATION_ZH: dict[str, str] = {
    "unit_id": "单位编码",
    "name": "单位名称",
    "type": "单位类型",
    "pool": "统筹范围",
    "total_posts": "岗位总量",
    "cap_senior": "高级岗位上限",
    "cap_senior_intermediate": "高级+中级岗位上限",
    "posts_senior": "高级岗位",
    "posts_intermediate": "中级岗位",
    "posts_junior": "初级岗位",
    "senior_incumbents": "现聘高级",
    "intermediate_incumbents": "现聘中级",
    "junior_incumbents": "现聘初级",
    "senior_waiting": "高级待聘",
    "intermediate_waiting": "中级待聘",
    "priority": "权重",
    "appointed_senior": "新聘高级",
    "appointed_intermediate": "新聘中级",
    "waiting_left_senior": "高级仍待聘",
    "waiting_left_intermediate": "中级仍待聘",
    "vacant_senior": "高级空岗",
    "vacant_intermediate": "中级空岗",
    "vacant_junior": "初级空岗",
    "over_ratio": "超比例",
}

#: The other columns of ``violations.csv`` (``quotaopt audit``) -> their Chinese headers.
VIOLATION_ZH: dict[str, str] = {
    "rule": "违反的规则",
    "allowed": "允许值",
    "actual": "方案值",
    "message": "说明",
}

#: Other Chinese headers a units table may use for a column (besides :data:`ALLOCATION_ZH`),
#: as county bureaus write them. Headers are compared after Unicode NFKC normalisation, in
#: lower case, without spaces and without a bracketed unit at the end (``（人）``, ``(个)``,
#: ``[名]``: see :data:`HEADER_UNITS`), so ``现聘高级（人）`` and ``岗位总量 (个)`` match too.
OTHER_UNIT_HEADERS_ZH: dict[str, tuple[str, ...]] = {
    "unit_id": ("单位代码",),
    "pool": ("县区", "片区", "统筹片区"),
    "total_posts": ("专技岗位总量", "岗位总数", "核定岗位数"),
    "senior_incumbents": ("现聘高级人数",),
    "intermediate_incumbents": ("现聘中级人数",),
    "junior_incumbents": ("现聘初级人数",),
    "senior_waiting": ("持证未聘高级", "已取得高级职称未聘", "待聘高级"),
    "intermediate_waiting": ("持证未聘中级", "已取得中级职称未聘", "待聘中级"),
}

#: The units a header may carry in brackets at its end (``岗位总量（个）``); dropped when
#: headers are compared.
HEADER_UNITS: tuple[str, ...] = ("人", "个", "名", "位", "岗", "人数", "个数")

#: A two-row header: a merged group cell over ``高级 / 中级 / 初级`` — group -> the prefix
#: that, followed by the level, gives a header of :data:`OTHER_UNIT_HEADERS_ZH` or
#: :data:`ALLOCATION_ZH` (``现聘人数`` over ``高级`` reads as ``现聘高级``).
HEADER_GROUPS_ZH: dict[str, str] = {
    "现聘人数": "现聘",
    "现聘": "现聘",
    "持证未聘人数": "持证未聘",
    "持证未聘": "持证未聘",
    "待聘人数": "待聘",
    "待聘": "待聘",
}

#: Headers of columns a units table may have that hold numbers but feed nothing (a row's
#: serial number): never taken for a misspelt column.
IGNORED_HEADERS_ZH: tuple[str, ...] = ("序号", "备注", "说明")

#: A row whose code or name cell holds one of these is a totals row, not a unit: it is
#: skipped with a note.
TOTAL_ROW_WORDS_ZH: tuple[str, ...] = ("合计", "小计", "总计", "全县合计", "共计")


def unit_aliases_zh(columns: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The Chinese headers accepted for each of ``columns`` in a units table."""
    return {c: (ALLOCATION_ZH[c], *OTHER_UNIT_HEADERS_ZH.get(c, ())) for c in columns}


#: Chinese column headers of the comparison workbook (``--lang zh``).
LABELS_ZH: dict[str, str] = {
    **ALLOCATION_ZH,  # the allocation columns, as audit reads them
    "variant": "方案",
    "status": "求解状态",
    "reason": "原因",
    "presence": "单位对照",
    "units": "单位数",
    "posts_senior_intermediate": "高级+中级岗位",
    "appointed": "新聘合计",
    "units_over_ratio": "超比例单位数",
    "promotion_cost": "年度聘用增加费用",
    "promotion_cost_basis": "费用标准取自方案",
    "changed": "有变化",
    "units_compared": "对比单位数",
    "units_gaining_senior": "高级岗位增加的单位数",
    "units_losing_senior": "高级岗位减少的单位数",
    "units_gaining_senior_intermediate": "高级+中级岗位增加的单位数",
    "units_losing_senior_intermediate": "高级+中级岗位减少的单位数",
    "units_appointments_changed": "聘用人数变化的单位数",
    "units_added": "新增单位数",
    "units_removed": "减少单位数",
    "key": "配置项",
    "change": "变化",
    "label": "规则",
    "before": "基准方案",
    "after": "本方案",
}

#: ``presence`` values of the unit diff with ``--lang zh``: in both tables, added, removed.
PRESENCE_ZH: dict[str, str] = {"both": "均有", "added": "新增", "removed": "减少"}

#: Status values in the workbook with ``--lang zh``.
STATUS_ZH: dict[str, str] = {
    "optimal": "最优",
    "not_proven": "未证明最优",
    "infeasible": "无可行方案",
    "no_solution": "无解",
}
