"""Generate the fictional county units tables shipped in scenarios/ and in `quotaopt init`.

The county (桐溪县, "Tongxi") and every unit in it are invented. Sizes and backlogs are set
to look like a Sichuan county after the 2019-2020 township reform: incumbents fit the old
township ceiling 0.5:3.5:6 (they were appointed under it), and title-holders wait for posts
because those caps are full. Run from the repository root:

    python scripts/make_example_county.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

TOWNS = ["石桥", "龙门", "白马", "双河", "新店", "高桥", "永安", "青龙", "太平", "金山",
         "长宁", "观音", "古佛", "红岩", "凤鸣", "三溪", "黄桷", "大安", "平坦", "镇西",
         "椑木", "史家", "郭北", "朝阳"]
TYPES = {
    # type: (name suffix, range of total posts)
    "health_centre": ("镇卫生院", (12, 60)),
    "school": ("镇中心学校", (20, 80)),
    "agri_service": ("镇农业综合服务中心", (5, 16)),
    "culture_station": ("镇文化站", (3, 9)),
}
DISTRICTS = ["东片", "西片", "北片"]


def unit_rows(rng: random.Random, towns: list[str], prefix: str) -> list[dict[str, object]]:
    rows = []
    for t_index, town in enumerate(towns):
        district = DISTRICTS[t_index % len(DISTRICTS)]
        for code, (type_name, (suffix, (lo, hi))) in enumerate(TYPES.items()):
            total = rng.randint(lo, hi)
            # incumbents under the old ceiling 0.5:3.5:6 (5 % senior, 40 % senior+intermediate)
            old_s = total * 5 // 100
            old_sm = total * 40 // 100
            senior = rng.randint(max(0, old_s - 1), old_s)
            inter = rng.randint(max(0, old_sm - senior - 2), old_sm - senior)
            filled = rng.randint(int(total * 0.85), total)
            junior = max(0, filled - senior - inter)
            rows.append({
                "单位编码": f"{prefix}{t_index + 1:02d}{code + 1}",
                "单位名称": f"{town}{suffix}",
                "单位类型": type_name,
                "县区": district,
                "岗位总量": total,
                "现聘高级": senior,
                "现聘中级": inter,
                "现聘初级": junior,
                "高级待聘": rng.randint(0, min(inter, 2 + total // 15)),
                "中级待聘": rng.randint(0, min(junior, 2 + total // 8)),
            })
    return rows


def write(rows: list[dict[str, object]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    write(unit_rows(random.Random(2022), TOWNS, "TX"), root / "scenarios" / "tongxi-county.csv")
    small = unit_rows(random.Random(7), TOWNS[:3], "EX")
    write(small, root / "src" / "quotaopt" / "templates" / "units.csv")


if __name__ == "__main__":
    main()
