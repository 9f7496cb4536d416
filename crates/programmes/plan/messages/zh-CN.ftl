# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/cli.rs
area = 区域
indicator = 指标
value = 当前值
num-den = 分子/分母
target = 目标
baseline = 基期
status = 状态

## src/evaluation.rs
evaluation = 评估
no = 序号
indicator-2 = 指标
attribute = 属性
baseline-2020 = 2020年基期值
target-2025 = 2025年目标值
numerator = 分子
denominator = 分母
value-2 = 当前值
status-2 = 状态
indicators = 主要指标
reference-date = 统计时点：
area-2 = 区域：
townships = 乡镇明细
township = 乡镇（街道）
comparison = 乡镇对比
indicators-behind = 滞后指标数
other-targets = 其他目标
section = 专栏
target-2 = 目标
target-value = 目标值
source = 来源
as-of = 填报日期
evidence = 依据

## src/facts.rs
met = 已达标
on-track = 符合进度
behind = 滞后
no-data = 无数据

## src/pages.rs
trend-no-data = 趋势：无数据
reference-date-2 = 统计日期
plan-indicators = 规划指标监测
persons-counted-this-year = 本年收入计入的人员
persons-counted-last-year = 上年收入计入的人员
gap-in-the-denominator-not-the = 差额（分母中不在分子的）
type = 类型
population = 户籍人口
institution = 机构名称
standardized = 规范化
designated = 定点
opened = 成立日期
name = 姓名
citizen-id = 身份证号
village = 村社区
category-grade = 残疾类别/等级
certificate = 证件状态
plan-evaluation-report = 规划实施评估报告
choose = 请选择
value-as-of = 数据截至日期
e-g-2025-12-31-not = 例如 2025-12-31；不能晚于今天
value-3 = 数值
a-ratio-as-95-or-0 = 比例写 95% 或 0.95；数量写整数（如 120）
evidence-document-ledger-or-note = 依据（文件、台账或说明）
at-most-500-characters = 不超过 500 字
targets-of-sections-2-5 = 专栏2–5 目标
progress-saved = 已保存进度。
is-required = 必填
must-be-at-most-500-characters = 不能超过 500 个字
year = 年度
district-gdp-growth = 全区 GDP 增速
write-6-5-or-0-065 = 写 6.5% 或 0.065
source-statistical-bulletin = 来源（统计公报等）
saved = 已保存。
must-be-at-most-200-characters = 不能超过 200 个字
n-5-withheld = <5（不公布）
withheld = 不公布
disability-services-main-indicators-public = 残疾人事业发展主要指标（公开）

## templates/_targets_table.html
as-of-evidence = 填报日期与依据

## templates/gdp.html
indicator-1-s-target-is-growth = 指标 1（残疾人家庭人均可支配收入年均增长）的目标是“与全区 GDP 增长同步”：请按统计公报逐年填报。每次填报都保留，同一年以最后一次为准。
entered = 已填报
nothing-entered-yet = 尚无填报。
growth = 增速
entered-by = 填报人
entered-at-utc = 填报时间（UTC）
enter-a-rate = 填报
save = 保存

## templates/indicator_people.html
back-to-the-indicators = 返回指标监测
which-list = 名单范围
list = 名单
export-this-list-xlsx = 导出此名单 xlsx

## templates/indicator_report.html
plan = 规划
reference-date-3 = 统计时点
download-the-evaluation-workbook-xlsx = 下载评估工作簿 xlsx
n-1-main-indicators-section-1 = 一、主要指标（专栏1）
numerator-denominator = 分子 / 分母
n-2-indicators-by-township = 二、分乡镇（街道）指标
behind-2 = 滞后指标数
met-behind-column-heads-are-indicator = ✓ 已达标　▼ 滞后　列标题为指标序号。
n-3-other-targets-sections-2-5 = 三、专栏2–5 其他目标

## templates/indicators.html
the-14-main-indicators-of-the = “十四五”规划专栏1的 14 项主要指标，按所选日期和区域即时计算（数据实时，无需等待批处理）。每个数字都可点开查看对应的人员、家庭、乡镇或机构。
e-g-2025-12-31 = 例如 2025-12-31
error = 错误：
compute = 计算
evaluation-report-printable = 评估报告（可打印）
other-targets-sections-2-5 = 专栏2–5 其他目标
record-progress-of-sections-2-5 = 填报专栏2–5 进度
main-indicators = 主要指标
baseline-2 = 基期值
target-3 = 目标值
not-covered = 未覆盖
trend = 趋势
township-by-township = 分乡镇（街道）情况
behind-means-below-where-the-plan = “滞后”表示未达到按规划进度应有的水平。点击数值查看该乡镇的人员名单。
monthly-trend-since-2020 = 2020 年以来的月度趋势
each-line-shows-the-month-end = 折线为各月末的指标值，虚线为 2025 年目标；每张图下方的表格列出相同数据。
data-table = 数据表
date = 日期
value-4 = 指标值

## templates/plan_targets.html
targets-the-registry-answers-are-computed = 能由登记数据计算的目标由系统即时计算（可点开名单）；其余目标由区残联按时填报数值、日期和依据，系统取统计日期前最近的一次填报。
reference-date-4 = 统计日期：
targets-and-progress = 目标与进度
record-progress = 填报进度

## templates/public_indicators.html
disability-services-main-indicators = 残疾人事业发展主要指标
this-page-publishes-the-district-s = 本页公开“十四五”规划主要指标的全区数值，不含任何个人信息；少于 5 人的数字不予公布。
show = 查看

## src/pages.rs
partner-departments-see-the-numbers-only = 部门协同账户只能看到人数，不显示名单（数据最小化）；如需核实某人，请按身份证号查询。

## templates/indicator_people.html

## src/api.rs: error codes
error-no-plan = 尚未配置发展规划，无法计算指标
