"""Chinese column headers of the allocation table, in one place.

The workbook quotaopt writes with ``--lang zh`` labels the allocation columns with these
names, and ``quotaopt audit`` reads a plan with them (a plan saved from that workbook). A
constant module: it imports nothing from quotaopt, so any layer may use it.
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
