"""Facts from the seed documents, as data. Codes and names the seeds lack are invented (demo)."""

from __future__ import annotations

# 会理县: huili-2016 annex 1 (2016 target counts per unit; the targets come with the reports issue).
HUILI_CODE = "513425000000"
HUILI_NAME = "会理县"

# (name as the annex gives it, target count). 县政府办 is the government office.
HUILI_DEPARTMENTS: list[tuple[str, int]] = [
    ("县政府办", 300),
    ("县食药工商质监局", 120),
    ("县林业局", 120),
    ("县民宗扶贫移民局", 120),
    ("县水务局", 120),
    ("县规建局", 120),
    ("县农牧局", 120),
    ("县投促商务局", 120),
    ("县文广体育旅游局", 120),
    ("县政务中心", 120),
    ("县发改经信局", 120),
    ("县环保局", 120),
    ("县教育局", 120),
    ("县安监局", 120),
    ("县公安局", 120),
    ("县国土局", 120),
    ("县民政局", 120),
    ("县司法局", 120),
    ("县交通运输局", 120),
    ("县财政局", 120),
    ("县卫计局", 120),
    ("县人力资源社会保障局", 120),
    ("县统计局", 120),
    ("县审计局", 90),
    ("县科知局", 90),
    ("县监察局", 90),
    ("县国税局", 90),
    ("县烟办", 90),
    ("县地税局", 90),
    ("县自来水公司", 60),
    ("县气象局", 60),
    ("县供电公司", 60),
    ("县供销社", 60),
    ("县妇联", 40),
    ("县老龄办", 30),
    ("团县委", 40),
    ("县信访局", 20),
    ("县蚕桑局", 20),
    ("县防震减灾局", 30),
    ("县档案局", 30),
]
# Not government departments: public institutions and enterprises in the annex.
HUILI_PUBLIC_INSTITUTIONS = {"县自来水公司", "县供电公司", "县供销社", "县妇联", "团县委"}

# Town-level units of the annex: (unit name, kind label, organization name, target count).
HUILI_SUBDISTRICTS = ["城南", "城北", "南街", "北街", "北关"]
HUILI_PARKS = ["黎溪工业园", "红旗工业园", "益门工业园", "鹿厂工业园", "太平生态农业园", "通安工业园"]
HUILI_TOWNS = ["彰冠", "富乐", "鹿厂", "木古", "太平", "新发", "云甸", "黎溪", "绿水", "通安", "益门", "六华", "关河"]
# Townships with their annex-1 target counts (外北乡 40, most 30, the smallest 20).
HUILI_TOWNSHIP_TARGETS: dict[str, int] = {
    "外北": 40, "海潮": 30, "小黑箐": 30, "竹箐": 30, "白鸡": 30, "内东": 30, "矮郎": 30, "爱民": 30, "鱼鲊": 30,
    "爱国": 30, "中厂": 30, "凤营": 30, "河口": 30, "下村": 30, "树堡": 30, "杨家坝": 30, "普隆": 30, "芭蕉": 20,
    "白果湾": 30, "江普": 20, "龙泉": 20, "马宗": 20, "六民": 20, "法坪": 20, "新安": 20, "黄柏": 20, "金雨": 20,
    "槽元": 20, "江竹": 20, "黎洪": 20,
}  # fmt: skip
HUILI_TOWNSHIPS = list(HUILI_TOWNSHIP_TARGETS)

# Villages: the seeds name none, so these are invented (demo) under two towns.
HUILI_VILLAGES: dict[str, list[tuple[str, str]]] = {
    "鹿厂": [("铜矿村", "CUN"), ("大村村", "CUN"), ("鹿厂社区", "SHEQU")],
    "黎溪": [("黎溪村", "CUN"), ("新村村", "CUN")],
}

# 印台区: yintai plan, annex 1 (26 domains -> responsible department).
YINTAI_CODE = "610203000000"
YINTAI_NAME = "印台区"
YINTAI_OFFICE = "区政府办"
YINTAI_ANNEX1: list[tuple[str, list[str]]] = [
    ("区发改局", ["重大建设项目"]),
    ("区教科体局", ["义务教育"]),
    ("区民政局", ["社会救助", "养老服务"]),
    ("区司法局", ["公共法律服务"]),
    ("公安分局", ["户籍管理"]),
    ("区财政局", ["财政预决算"]),
    ("区人社局", ["就业", "社会保险"]),
    ("区住建局", ["国有土地上房屋征收", "保障性住房", "农村危房改造", "城市综合执法", "市政服务"]),
    ("区农业农村局", ["涉农补贴"]),
    ("区卫健局", ["医疗卫生"]),
    ("区市场监管局", ["食品药品监管"]),
    ("区应急局", ["安全生产", "救灾"]),
    ("区文旅局", ["公共文化服务"]),
    ("区扶贫局", ["扶贫"]),
    ("自然资源分局", ["国土空间规划", "征地补偿"]),
    ("生态环境分局", ["生态环境"]),
    ("区税务局", ["税收管理"]),
    ("区行政审批服务局", ["公共资源交易"]),
]
# Towns of 印台区 are not in the plan; two invented (demo) ones so the county is not empty.
YINTAI_TOWNS = [("610203001000", "城关街道", "JIEDAO"), ("610203100000", "陈炉镇", "ZHEN")]

# The 2016 会理县 department that matches each 印台区 annex-1 department (same duties).
HUILI_MATCH = {
    "区发改局": "县发改经信局",
    "区教科体局": "县教育局",
    "区民政局": "县民政局",
    "区司法局": "县司法局",
    "公安分局": "县公安局",
    "区财政局": "县财政局",
    "区人社局": "县人力资源社会保障局",
    "区住建局": "县规建局",
    "区农业农村局": "县农牧局",
    "区卫健局": "县卫计局",
    "区市场监管局": "县食药工商质监局",
    "区应急局": "县安监局",
    "区文旅局": "县文广体育旅游局",
    "区扶贫局": "县民宗扶贫移民局",
    "自然资源分局": "县国土局",
    "生态环境分局": "县环保局",
    "区税务局": "县地税局",
    "区行政审批服务局": "县政务中心",
}

DEMO_PASSWORD = "Gongkai-Demo-2026"  # meets the password rule (api/auth/passwords.py)

# huili-2016 annex 1: target counts of the town-level units (by the name the annex gives).
HUILI_TOWN_TARGETS: dict[str, int] = {
    **{f"{n}街道办事处": 60 for n in HUILI_SUBDISTRICTS},
    **{f"{n}管委会": 80 for n in HUILI_PARKS},
    **{f"{n}镇政府": 40 for n in HUILI_TOWNS},
    **{f"{n}乡政府": count for n, count in HUILI_TOWNSHIP_TARGETS.items()},
}
TARGET_YEAR = 2026  # the annex's 2016 figures, set for the demo's year


# The district office's starter synonyms (issue 15): abbreviations and the full names people type.
SEARCH_SYNONYMS = (
    ("低保", "最低生活保障"),
    ("医保", "医疗保险"),
    ("五保", "特困供养"),
    ("新农合", "新型农村合作医疗"),
    ("计生", "计划生育"),
    ("公租房", "公共租赁住房"),
    ("种粮补贴", "耕地地力保护补贴"),
)
# The district office's sensitive-word list for the scan before 审发 (api/services/screening):
# security markings and phrases that mark a text as not for publication. Invented for the demo.
SENSITIVE_WORDS = ["绝密", "机密", "内部资料", "仅供内部参考", "不得外传", "严禁外传"]
