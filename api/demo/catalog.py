"""Demo catalog and micro-power lists for 会理县.

The 22 items are the 目录清单 of the wangyi-2018 notice, its 区 departments mapped onto the
会理县 departments of 2016 with the same duties; the update frequencies, the 社会救助 rows and the
micro-power template are written for the demo (marked demo) from the categories such lists use.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.models import Audience, Organization, UnitLevel, UpdateFrequency
from api.services import catalog, micropower
from api.services.catalog import ItemFields
from api.services.micropower import PowerFields

M, Q, Y, X, R = (UpdateFrequency.MONTHLY, UpdateFrequency.QUARTERLY, UpdateFrequency.YEARLY, UpdateFrequency.XUN,
                 UpdateFrequency.REALTIME)  # fmt: skip

# wangyi-2018 annex 1: (content, responsible units as the notice names them), with a demo frequency.
WANGYI_22: list[tuple[str, list[str], UpdateFrequency]] = [
    ("区政府规范性文件及相关制度", ["区政府办", "区法制办"], M),
    ("国民经济和社会发展规划、专项规划、区域规划及相关政策", ["区发改局"], Y),
    ("国民经济和社会发展统计信息", ["区统计局"], M),
    ("财政预算、决算情况", ["区财政局"], Y),
    ("重大投资建设项目审批和实施情况", ["区发改局", "区住建局"], Q),
    ("政府集中采购情况", ["区财政局", "区政府采购中心"], M),
    ("经营性土地使用权出让", ["国土王益分局"], Q),
    ("矿产资源开发利用情况", ["国土王益分局"], Y),
    ("税费征收和减免政策的执行情况", ["区财政局", "区国税局", "区地税局"], Q),
    ("突发公共事件的应急预案、预报、预警信息和应对处置", ["区政府办"], R),
    ("扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施和实施情况",
     ["区农林局", "区教科体局", "区卫计局", "区人社局", "区民政局", "区扶贫局"], M),
    ("环境保护、公共卫生、安全生产、产品质量的监督检查情况", ["区环保局", "区卫计局", "区安监局", "区市场监管局"], M),
    ("国有企业重组改制、产权交易", ["区财政局", "区商务局", "区招商局"], Y),
    ("政府重要人事任免", ["区政府办", "区人社局"], R),
    ("公务员（事业人员）选拔录用", ["区人社局"], R),
    ("向社会承诺事项的完成情况", ["区政府办"], Q),
    ("城乡建设管理的重大事项", ["区发改局", "区住建局"], Q),
    ("社会公益事业建设情况", ["区教科体局", "区卫计局"], Q),
    ("征收或征用土地、房屋拆迁及其补偿、补助情况", ["国土王益分局", "区住建局"], M),
    ("抢险救灾、优抚、救济、社会捐助等款物的管理、使用和分配情况", ["区民政局"], M),
    ("经济适用房的建设和销售、廉租房的建设和租赁等情况", ["区发改局", "区住建局"], Q),
    ("行政事业性收费的项目、依据、标准", ["区财政局", "区物价局", "区监察局"], Y),
]  # fmt: skip

# 王益区 (2018) department -> the 会理县 (2016) department with the same duties.
WANGYI_TO_HUILI = {
    "区政府办": "县政府办", "区法制办": "县司法局", "区发改局": "县发改经信局", "区统计局": "县统计局",
    "区财政局": "县财政局", "区住建局": "县规建局", "区政府采购中心": "县财政局", "国土王益分局": "县国土局",
    "区国税局": "县国税局", "区地税局": "县地税局", "区农林局": "县农牧局", "区教科体局": "县教育局",
    "区卫计局": "县卫计局", "区人社局": "县人力资源社会保障局", "区民政局": "县民政局", "区扶贫局": "县民宗扶贫移民局",
    "区环保局": "县环保局", "区安监局": "县安监局", "区市场监管局": "县食药工商质监局", "区商务局": "县投促商务局",
    "区招商局": "县投促商务局", "区物价局": "县发改经信局", "区监察局": "县监察局",
}  # fmt: skip

BASIS = "《社会救助暂行办法》《政府信息公开条例》"
DEADLINE = "信息形成或变更之日起20个工作日内"
ALL_LEVELS = [UnitLevel.COUNTY, UnitLevel.TOWN, UnitLevel.VILLAGE]
# The 社会救助 domain's standard catalog (demo rows): (一级, 二级, 内容, frequency, levels, audience).
SOCIAL_ASSISTANCE = [
    ("最低生活保障", "政策法规文件", "低保相关法律法规、规章、规范性文件", R, [UnitLevel.COUNTY], Audience.PUBLIC),
    ("最低生活保障", "办事指南", "低保申请条件、所需材料、办理流程、办理时限、咨询电话", R, ALL_LEVELS, Audience.PUBLIC),
    ("最低生活保障", "低保标准", "城乡低保标准及调整情况", Y, [UnitLevel.COUNTY], Audience.PUBLIC),
    ("最低生活保障", "审核确认结果", "低保对象姓名、家庭人口、保障金额（隐去身份证号等个人信息）", M, ALL_LEVELS, Audience.SPECIFIC_GROUPS),
    ("最低生活保障", "资金发放情况", "低保资金发放人数、金额", M, [UnitLevel.COUNTY, UnitLevel.TOWN], Audience.PUBLIC),
    ("特困人员救助供养", "办事指南", "特困人员认定条件、供养内容、办理流程", R, ALL_LEVELS, Audience.PUBLIC),
    ("特困人员救助供养", "审核确认结果", "特困人员名单", Q, [UnitLevel.COUNTY, UnitLevel.TOWN], Audience.SPECIFIC_GROUPS),
    ("临时救助", "办事指南", "临时救助对象范围、申请条件、救助标准、办理流程", R, ALL_LEVELS, Audience.PUBLIC),
    ("临时救助", "救助情况", "临时救助人次、金额", Q, [UnitLevel.COUNTY, UnitLevel.TOWN], Audience.PUBLIC),
]  # fmt: skip

S = ["村民提出", "村两委商议", "党员大会审议", "村民代表会议决议", "决议公开", "实施结果公开"]
# The county template (demo): (category, name, basis, steps, disclosed, timing).
POWER_TEMPLATE = [
    ("重大事项决策", "村级重大事项决策（四议两公开）", "《村民委员会组织法》", S, "议题、决议、实施结果", "决议形成后5日内"),
    ("重大事项决策", "村规民约制定与修改", "《村民委员会组织法》", S, "村规民约全文", "通过后5日内"),
    ("重大事项决策", "村级年度工作计划", "《村民委员会组织法》", S, "年度计划及完成情况", "每年1月底前"),
    ("工程项目", "村级工程项目立项", "《村民委员会组织法》", S, "项目名称、资金来源、预算", "立项后5日内"),
    ("工程项目", "村级工程项目招投标与实施", "《招标投标法》", ["确定方式", "公开招标或比选", "签订合同", "施工监督", "验收", "结果公开"], "中标单位、合同金额、验收结果", "每个环节完成后5日内"),
    ("采购", "村级物资和服务采购", "村级财务管理制度", ["提出需求", "村两委商议", "询价比价", "采购", "验收入账", "公开"], "采购事项、金额、供应商", "每季度首月20日前"),
    ("集体资产资源处置", "集体资产资源发包、出租", "《农村土地承包法》", S, "标的、方式、价格、承包方", "合同签订后5日内"),
    ("集体资产资源处置", "集体资产处置与收益分配", "《村民委员会组织法》", S, "处置方案、收益分配方案", "方案通过后5日内"),
    ("财务收支", "村级财务收支公开", "村级财务管理制度", ["记账", "村务监督委员会审核", "张榜公开"], "收入、支出明细", "每季度首月20日前"),
    ("财务收支", "村干部报酬及补贴", "村级财务管理制度", ["核定", "审核", "公开"], "报酬标准与发放", "每年1月底前"),
    ("财务收支", "村级债权债务", "村级财务管理制度", ["清理", "审核", "公开"], "债权债务明细", "每半年一次"),
    ("低保/救助申请", "最低生活保障申请初审", "《社会救助暂行办法》", ["申请", "入户调查", "民主评议", "初审公示", "上报乡镇"], "申请人、评议结果", "评议后公示7日"),
    ("低保/救助申请", "临时救助申请", "《社会救助暂行办法》", ["申请", "调查核实", "公示", "上报"], "救助对象、金额", "审核后公示"),
    ("低保/救助申请", "特困人员供养申请", "《社会救助暂行办法》", ["申请", "调查", "公示", "上报"], "申请人、结果", "公示7日"),
    ("宅基地审核", "农村宅基地申请审核", "《土地管理法》", ["申请", "村民小组讨论", "村委会审核公示", "报乡镇审批"], "申请人、位置、面积", "审核后公示5日"),
    ("出具证明", "出具各类证明", "证明事项清单", ["申请", "核实", "出具", "登记"], "证明事项清单及办理情况", "每季度首月20日前"),
    ("惠农补贴", "各类惠农补贴申报", "涉农补贴政策文件", ["申报", "核实", "公示", "上报"], "补贴对象、标准、金额", "发放前公示"),
    ("计划生育与户籍", "户籍相关事项初审", "户籍管理规定", ["申请", "核实", "出具意见"], "办理情况", "每季度首月20日前"),
    ("人事管理", "村级组织人员选聘", "《村民委员会组织法》", ["提出", "村两委商议", "公示", "聘用"], "选聘人员及程序", "选聘结束后5日内"),
    ("党务管理", "发展党员", "《中国共产党发展党员工作细则》", ["申请", "培养考察", "公示", "审批"], "发展对象公示", "按规定公示"),
    ("矛盾调处", "村内矛盾纠纷调处", "《人民调解法》", ["受理", "调查", "调解", "回访"], "调处结果（隐去个人信息）", "每季度首月20日前"),
    ("村务监督", "村务监督委员会监督事项", "《村民委员会组织法》", ["提出", "核查", "反馈", "公开"], "监督事项与结果", "每季度首月20日前"),
]  # fmt: skip


async def _orgs(session: AsyncSession) -> dict[str, Organization]:
    return {o.name: o for o in (await session.execute(select(Organization))).scalars()}


async def load_catalog(session: AsyncSession, actor: Actor, county_code: str) -> int:
    orgs = await _orgs(session)
    count = 0
    for content, units, frequency in WANGYI_22:
        ids = list(dict.fromkeys(orgs[WANGYI_TO_HUILI[u]].id for u in units))
        await catalog.create_item(
            session, actor, unit_code=county_code, demo=True,
            fields_=ItemFields(level1=content, frequency=frequency, content=content, subject="、".join(
                dict.fromkeys(WANGYI_TO_HUILI[u] for u in units)), channels=["政府网站"], organization_ids=ids),
        )  # fmt: skip
        count += 1
    civil = orgs["县民政局"].id
    for level1, level2, content, frequency, levels, audience in SOCIAL_ASSISTANCE:
        await catalog.create_item(
            session, actor, unit_code=county_code, demo=True,
            fields_=ItemFields(
                level1=level1, level2=level2, frequency=frequency, domain_code="社会救助", content=content, basis=BASIS,
                deadline=DEADLINE, subject="县民政局、乡镇人民政府", channels=["政府网站", "公开查阅点", "公示栏/电子屏"],
                audience=audience, levels=levels, organization_ids=[civil],
            ),
        )  # fmt: skip
        count += 1
    return count


async def load_micropower(session: AsyncSession, actor: Actor, county_code: str, village_codes: list[str]) -> int:
    for category, name, basis, steps, disclosed, timing in POWER_TEMPLATE:
        await micropower.create_template_item(
            session, actor, unit_code=county_code, demo=True,
            fields_=PowerFields(category, name, basis, list(steps), "村民委员会", disclosed, timing, "村务公开栏、村民微信群"),
        )  # fmt: skip
    for code in village_codes:
        await micropower.adopt_template(session, actor, village_code=code)
    return len(POWER_TEMPLATE)
