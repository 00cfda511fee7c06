"""Invented Chinese text for the county benchmark: place names, organizations, and the titles and
bodies of government notices (公示, 通知, 方案, 报告), by disclosure domain.

Everything here is made up; nothing is a real place or a real notice. A generator draws from these
lists with a seeded ``random.Random``, so the same seed gives the same text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

COUNTY_CODE = "519901000000"  # 51 = 四川; 99 is no real prefecture
COUNTY_NAME = "云溪县"
SHORT = "云溪"

# 30 towns: (name, kind); the first two are 街道 (their villages are 社区).
TOWNS = [
    ("城关街道", "JIEDAO"), ("新华街道", "JIEDAO"), ("河口镇", "ZHEN"), ("龙泉镇", "ZHEN"), ("白马镇", "ZHEN"),
    ("石桥镇", "ZHEN"), ("青山乡", "XIANG"), ("黄坪镇", "ZHEN"), ("金沙镇", "ZHEN"), ("太平镇", "ZHEN"),
    ("双河乡", "XIANG"), ("柏林镇", "ZHEN"), ("马鞍乡", "XIANG"), ("桃源镇", "ZHEN"), ("凤鸣镇", "ZHEN"),
    ("长兴镇", "ZHEN"), ("清水乡", "XIANG"), ("高峰镇", "ZHEN"), ("大坝镇", "ZHEN"), ("红岩乡", "XIANG"),
    ("永安镇", "ZHEN"), ("松林乡", "XIANG"), ("官渡镇", "ZHEN"), ("仁和镇", "ZHEN"), ("银厂乡", "XIANG"),
    ("新村镇", "ZHEN"), ("古城镇", "ZHEN"), ("鹿鸣乡", "XIANG"), ("宝兴镇", "ZHEN"), ("三江镇", "ZHEN"),
]  # fmt: skip

_VILLAGE_FIRST = "东西南北上下中前后大小新老杨李张王刘陈田石沙竹梅兰桂柳"
_VILLAGE_SECOND = ["河", "坪", "湾", "坝", "沟", "岭", "山", "林", "塘", "桥", "庄", "营", "寨", "堡", "坡", "田"]


def village_names(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct two-character village stems (the 村 / 社区 suffix is added by the caller)."""
    pool = [a + b for a in _VILLAGE_FIRST for b in _VILLAGE_SECOND]
    rng.shuffle(pool)
    return pool[:count]


# 40 county-level organizations: (name without the county, kind, domains they answer for).
COUNTY_ORGS = [
    ("人民政府办公室", "GOVERNMENT_OFFICE", ["BUDGET", "MAJOR_PROJECTS"]),
    ("发展和改革局", "DEPARTMENT", ["MAJOR_PROJECTS"]),
    ("教育和体育局", "DEPARTMENT", ["COMPULSORY_EDUCATION"]),
    ("公安局", "DEPARTMENT", ["HOUSEHOLD_REGISTRATION"]),
    ("民政局", "DEPARTMENT", ["SOCIAL_ASSISTANCE", "ELDERLY_CARE"]),
    ("司法局", "DEPARTMENT", ["PUBLIC_LEGAL_SERVICES"]),
    ("财政局", "DEPARTMENT", ["BUDGET", "AGRICULTURAL_SUBSIDIES"]),
    ("人力资源和社会保障局", "DEPARTMENT", ["EMPLOYMENT", "SOCIAL_INSURANCE"]),
    ("自然资源局", "DEPARTMENT", ["SPATIAL_PLANNING", "RURAL_LAND_EXPROPRIATION"]),
    ("生态环境局", "DEPARTMENT", ["ECO_ENVIRONMENT"]),
    (
        "住房和城乡建设局",
        "DEPARTMENT",
        ["AFFORDABLE_HOUSING", "URBAN_HOUSING_EXPROPRIATION", "RURAL_HOUSING_RENOVATION"],
    ),
    ("交通运输局", "DEPARTMENT", ["MAJOR_PROJECTS"]),
    ("水利局", "DEPARTMENT", ["MAJOR_PROJECTS", "DISASTER_RELIEF"]),
    ("农业农村局", "DEPARTMENT", ["AGRICULTURAL_SUBSIDIES", "POVERTY_ALLEVIATION"]),
    ("商务局", "DEPARTMENT", []),
    ("文化广播电视和旅游局", "DEPARTMENT", ["PUBLIC_CULTURE"]),
    ("卫生健康局", "DEPARTMENT", ["HEALTH"]),
    ("退役军人事务局", "DEPARTMENT", []),
    ("应急管理局", "DEPARTMENT", ["WORK_SAFETY", "DISASTER_RELIEF"]),
    ("审计局", "DEPARTMENT", ["BUDGET"]),
    ("市场监督管理局", "DEPARTMENT", ["FOOD_AND_DRUG"]),
    ("统计局", "DEPARTMENT", []),
    ("医疗保障局", "DEPARTMENT", ["SOCIAL_INSURANCE", "HEALTH"]),
    ("林业和草原局", "DEPARTMENT", ["ECO_ENVIRONMENT"]),
    ("乡村振兴局", "DEPARTMENT", ["POVERTY_ALLEVIATION"]),
    ("信访局", "DEPARTMENT", []),
    ("政务服务和大数据管理局", "DEPARTMENT", ["PUBLIC_RESOURCE_TRADING"]),
    ("民族宗教事务局", "DEPARTMENT", []),
    ("经济信息化和科学技术局", "DEPARTMENT", []),
    ("综合行政执法局", "DEPARTMENT", ["URBAN_ENFORCEMENT", "MUNICIPAL_SERVICES"]),
    ("残疾人联合会", "PUBLIC_INSTITUTION", ["SOCIAL_ASSISTANCE"]),
    ("供销合作社联合社", "PUBLIC_INSTITUTION", []),
    ("工业园区管理委员会", "PARK_COMMITTEE", ["MAJOR_PROJECTS"]),
    ("疾病预防控制中心", "PUBLIC_INSTITUTION", ["HEALTH"]),
    ("人民医院", "PUBLIC_INSTITUTION", ["HEALTH"]),
    ("社会保险事业管理局", "PUBLIC_INSTITUTION", ["SOCIAL_INSURANCE"]),
    ("住房公积金管理中心", "PUBLIC_INSTITUTION", ["AFFORDABLE_HOUSING"]),
    ("公共资源交易中心", "PUBLIC_INSTITUTION", ["PUBLIC_RESOURCE_TRADING"]),
    ("不动产登记中心", "PUBLIC_INSTITUTION", ["SPATIAL_PLANNING"]),
    ("税务局", "DEPARTMENT", ["TAXATION"]),
]

# The town and village organizations answer for these (a town government does most things locally).
TOWN_DOMAINS = [
    "SOCIAL_ASSISTANCE", "AGRICULTURAL_SUBSIDIES", "RURAL_HOUSING_RENOVATION", "WORK_SAFETY",
    "DISASTER_RELIEF", "POVERTY_ALLEVIATION", "ELDERLY_CARE", "EMPLOYMENT", "BUDGET", "PUBLIC_CULTURE",
]  # fmt: skip
VILLAGE_DOMAINS = ["SOCIAL_ASSISTANCE", "AGRICULTURAL_SUBSIDIES", "RURAL_HOUSING_RENOVATION", "POVERTY_ALLEVIATION"]

TOPICS = {
    "SOCIAL_ASSISTANCE": "民政、扶贫、救灾", "ELDERLY_CARE": "民政、扶贫、救灾", "DISASTER_RELIEF": "民政、扶贫、救灾",
    "POVERTY_ALLEVIATION": "民政、扶贫、救灾", "BUDGET": "财政、金融、审计", "TAXATION": "财政、金融、审计",
    "EMPLOYMENT": "劳动、人事、监察", "SOCIAL_INSURANCE": "劳动、人事、监察", "HEALTH": "卫生、体育",
    "COMPULSORY_EDUCATION": "科技、教育", "PUBLIC_CULTURE": "文化、广电、新闻出版",
    "ECO_ENVIRONMENT": "城乡建设、环境保护", "SPATIAL_PLANNING": "城乡建设、环境保护",
    "AFFORDABLE_HOUSING": "城乡建设、环境保护", "AGRICULTURAL_SUBSIDIES": "农业、林业、水利",
}  # fmt: skip


@dataclass(frozen=True)
class Content:
    title: str
    summary: str
    # Paragraphs; each is a list of clauses already joined with their punctuation.
    paragraphs: list[str]
    genre: str
    keywords: list[str]


_AMOUNTS = ["12.6", "18.4", "25.3", "31.8", "46.2", "57.9", "63.5", "78.1", "96.4", "127.5", "156.8", "212.3"]
_HOUSEHOLDS = [36, 48, 57, 72, 85, 103, 126, 158, 214, 297, 365, 482, 613, 1025, 2315]
_DAYS = [5, 7, 10]
_MONTHS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
_QUARTERS = ["第一季度", "第二季度", "第三季度", "第四季度"]
_LAWS = {
    "SOCIAL_ASSISTANCE": ["《社会救助暂行办法》", "《最低生活保障审核确认办法》", "《特困人员认定办法》"],
    "AGRICULTURAL_SUBSIDIES": ["《耕地地力保护补贴资金管理办法》", "《农业相关转移支付资金管理办法》"],
    "RURAL_HOUSING_RENOVATION": ["《农村危房改造基本安全技术导则》", "《农村危房改造补助资金管理办法》"],
    "BUDGET": ["《中华人民共和国预算法》", "《中华人民共和国预算法实施条例》"],
    "PUBLIC_RESOURCE_TRADING": ["《中华人民共和国招标投标法》", "《中华人民共和国政府采购法》"],
    "WORK_SAFETY": ["《中华人民共和国安全生产法》", "《生产安全事故应急条例》"],
    "ECO_ENVIRONMENT": ["《中华人民共和国环境保护法》", "《中华人民共和国大气污染防治法》"],
    "FOOD_AND_DRUG": ["《中华人民共和国食品安全法》", "《中华人民共和国药品管理法》"],
    "EMPLOYMENT": ["《中华人民共和国就业促进法》", "《就业补助资金管理办法》"],
    "SOCIAL_INSURANCE": ["《中华人民共和国社会保险法》", "《城乡居民基本养老保险经办规程》"],
    "COMPULSORY_EDUCATION": ["《中华人民共和国义务教育法》", "《中小学校管理评价办法》"],
    "HEALTH": ["《中华人民共和国基本医疗卫生与健康促进法》", "《基本公共卫生服务规范》"],
}
_GENERIC_LAWS = ["《中华人民共和国政府信息公开条例》", "《关于全面推进基层政务公开标准化规范化工作的指导意见》"]


class Writer:
    """Titles and bodies for one publisher: ``write(domain_code, place, year, month)``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _pick(self, seq: list[str]) -> str:
        return seq[self.rng.randrange(len(seq))]

    def write(self, domain: str, domain_name: str, org: str, place: str, year: int, month: int) -> Content:
        rng = self.rng
        law = self._pick(_LAWS.get(domain, _GENERIC_LAWS))
        m = _MONTHS[month - 1]
        q = _QUARTERS[(month - 1) // 3]
        amount = self._pick(_AMOUNTS)
        households = _HOUSEHOLDS[rng.randrange(len(_HOUSEHOLDS))]
        people = households * 2 - rng.randrange(households // 3 + 1)
        days = _DAYS[rng.randrange(len(_DAYS))]
        closing = [
            f"公示期为{days}个工作日，公示期内如有异议，请向{org}反映。",
            f"监督电话：0834-{rng.randrange(6100000, 6199999)}，来信来访请注明联系方式。",
            "特此公示。",
        ]
        if domain == "SOCIAL_ASSISTANCE":
            kind = rng.randrange(4)
            if kind == 0:
                title = f"{place}{year}年{m}月城乡低保资金发放情况公示"
                keywords = ["低保", "资金发放", "公示"]
            elif kind == 1:
                title = f"关于{place}{year}年{q}新增低保对象的公示"
                keywords = ["低保", "新增对象"]
            elif kind == 2:
                title = f"{place}{year}年{q}临时救助对象公示"
                keywords = ["临时救助", "社会救助"]
            else:
                title = f"{place}{year}年特困人员救助供养情况公示"
                keywords = ["特困供养", "社会救助"]
            body = [
                f"根据{law}和省、州有关文件精神，为进一步规范社会救助工作，切实保障困难群众基本生活，"
                "按照“公开、公平、公正”的原则，经个人申请、入户调查、民主评议和审核确认，现将有关情况公示如下。",
                f"本期共有{households}户{people}人纳入救助范围，发放资金{amount}万元，资金已通过“一卡通”发放到户。",
                "城乡低保实行动态管理，做到应保尽保、应退尽退；对家庭经济状况发生变化的，及时调整保障金额。"
                if kind < 2
                else "对符合最低生活保障条件的困难家庭，及时纳入低保范围，实现社会救助政策有效衔接。",
                "各村（社区）要将公示名单张贴于村务公开栏，接受群众监督，杜绝优亲厚友、人情保、关系保。",
                *closing,
            ]
            summary = f"公示{place}{households}户{people}人的救助情况，发放资金{amount}万元。"
            genre = "公示"
        elif domain == "AGRICULTURAL_SUBSIDIES":
            title = f"{place}{year}年耕地地力保护补贴发放情况公示"
            body = [
                f"根据{law}，结合我{SHORT}实际，现将{year}年耕地地力保护补贴资金发放情况予以公示。",
                f"本次补贴面积按确权面积核定，共涉及{households}户，补贴资金{amount}万元，每亩补贴标准为一百零五元。",
                "补贴资金通过惠民惠农财政补贴资金“一卡通”直接发放到农户，任何单位和个人不得截留、挤占、挪用。",
                *closing,
            ]
            summary = f"{year}年耕地地力保护补贴涉及{households}户、资金{amount}万元。"
            keywords, genre = ["涉农补贴", "耕地地力保护"], "公示"
        elif domain == "BUDGET":
            title = f"{org}{year}年部门预算公开"
            body = [
                f"按照{law}和财政部门关于预决算公开的要求，现将{org}{year}年部门预算公开如下。",
                f"{year}年收入预算{amount}万元，其中一般公共预算拨款收入占百分之九十以上；支出预算{amount}万元。",
                "“三公”经费预算与上年持平，其中因公出国（境）费为零，公务用车运行维护费严格控制在预算额度内。",
                "本单位将严格执行预算，加强预算绩效管理，提高财政资金使用效益。",
            ]
            summary = f"{org}{year}年部门预算：收入与支出预算均为{amount}万元。"
            keywords, genre = ["预算", "三公经费"], "报告"
        elif domain == "MAJOR_PROJECTS" or domain == "PUBLIC_RESOURCE_TRADING":
            project = self._pick(["道路改造工程", "供水管网改造项目", "农田水利设施项目", "污水处理厂扩建工程"])
            title = f"{place}{project}批准结果公开"
            body = [
                f"依据{law}，{place}{project}已完成审批，现将批准结果公开如下。",
                f"项目总投资{amount}万元，建设内容包括主体工程、配套设施及附属工程，计划工期{days + 5}个月。",
                "项目法人应严格落实质量安全责任，依法依规开展招标采购，主动接受社会监督。",
            ]
            summary = f"{place}{project}总投资{amount}万元，已批准建设。"
            keywords, genre = ["重大建设项目", "批准结果"], "通知"
        else:
            title = self._pick(
                [
                    f"关于做好{year}年{domain_name}工作的通知",
                    f"{org}关于印发《{place}{domain_name}工作实施方案》的通知",
                    f"{org}{year}年{q}{domain_name}工作情况",
                    f"{org}关于{domain_name}有关事项的公告",
                ]
            )
            body = [
                f"为深入贯彻落实{law}，进一步做好{domain_name}工作，结合我{SHORT}实际，现将有关事项通知如下。",
                f"一、提高认识，加强领导。各乡镇、各部门要充分认识做好{domain_name}工作的重要意义，明确分管领导和具体责任人。",
                "二、突出重点，狠抓落实。要对照任务清单逐项推进，建立工作台账，确保各项措施落地见效。",
                f"三、强化督查，严格考核。{org}将适时开展督导检查，检查结果纳入年度目标考核。",
                f"四、及时报送信息。请于{m}月底前将工作开展情况报送{org}办公室。",
            ]
            summary = f"{org}就{domain_name}工作作出安排。"
            keywords, genre = [domain_name], "通知"
        rng.shuffle(keywords)
        return Content(title=title, summary=summary, paragraphs=body, genre=genre, keywords=keywords)


ATTACHMENT_KINDS = [
    ("pdf", "application/pdf"),
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("jpg", "image/jpeg"),
]
ATTACHMENT_NAMES = ["公示名单", "实施方案", "资金分配表", "政策解读", "申请表", "汇总表", "现场照片"]
