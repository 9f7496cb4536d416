# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/cli.rs
reading = 读取
rejected = 拒绝
warning = 提示
writing = 写入

## src/file_edit.rs
edit-the-file = 修改档案
edit-the-file-not-saved = 修改档案（未保存）
empty = （空）
you-can-only-move-the-person = 只能改为您工作范围内的乡镇（街道）
other-parts-of-the-file-such = （其他内容，如生命周期事件或调查数据）
dash = —
living-subsidy = 生活补贴
nursing-subsidy = 护理补贴

## src/forms.rs
choose = 请选择
not-given = 未填
choose-a-township = 请选择乡镇（街道）
a-move-within-the-district-is = 区内迁移请在此更改；迁出本区请用“记录生命周期事件”
a-multiple-disability-needs-at-least = 多重残疾须填写至少两个构成类别
the-issue-date-is-before-the = 发证日期早于出生日期
must-be-after-the-issue-date = 有效期至应晚于发证日期
not-stated = 未填
yes = 是
no = 否
yes-no-not-stated = 是 / 否 / 未填
the-income-cannot-be-negative = 收入不能为负数
leave-the-reason-empty-for-a = 已就业的人员不填写未就业原因

## src/import.rs
the-sheet-is-imported-by-district = 区划表只由区级管理员导入，已忽略

## src/io.rs
import-a-roster = 导入花名册
choose-the-file-to-import = 请选择要导入的文件
internal-error-logged = 服务器内部错误，已记录
not-allowed = 无权导入
a-database-error-the-rows-written = 写入数据库时出错，已写入的行完整保留，可重新导入同一文件
import-progress-and-report = 导入进度与报告
export-registry = 花名册导出

## src/pages.rs
the-chosen-area-is-outside-your = 所选地区不在您的工作范围内。
enter-what-to-search-for = 请输入查询条件。
find-a-person = 人员查询
deceased = 已死亡
moved-out = 已迁出
revoked = 已注销
valid = 有效
yes-2 = 是
no-2 = 否
the-certificate-is-revoked = 残疾人证已注销。
current = （现证）
former = （历史）
own-household = （自成一户）
workbook-import = 花名册导入
demo-data = 演示数据
staff-form = 工作人员页面登记
submitted-by-the-person-or-a = 本人或监护人提交（服务端）
department-feed = 部门数据
saved = 已保存。
register-a-person = 登记新持证人员
you-can-only-register-persons-in = 只能登记您工作范围内的人员
this-citizen-id-already-has-a = 该身份证号已建档，请通过人员查询找到其档案
register-a-person-errors = 登记新持证人员（有错误）
kind-of-event = 事件类型
record-a-life-event = 记录生命周期事件
choose-the-kind-of-event = 请选择事件类型
you-can-only-move-a-person = 只能迁入您工作范围内的乡镇
record-a-life-event-errors = 记录生命周期事件（有错误）

## templates/event_form.html
the-event-is-appended-to-the = 事件追加到档案的生命周期中，历史记录不会被覆盖。
save-the-event = 保存事件
cancel = 取消

## templates/export.html
export-the-registry-workbook = 导出花名册工作簿
exports-the-persons-institutions-and-areas = 导出全区的人员、机构和区划。
exports-the-persons-and-institutions-of = 导出您工作范围内的人员和机构：
symbol = 。
the-workbook-has-the-import-format = 导出的工作簿与导入格式相同（人员、机构、区划三个工作表），可重新导入。文件含完整个人信息，请按保密规定保管；每次导出都会被记录。
download-xlsx = 下载 xlsx

## templates/import.html
import-a-roster-workbook = 导入花名册工作簿
there-is-a-problem = 请更正以下问题
persons-institutions-and-areas-of-the = 可导入全区人员、机构和区划。
only-persons-and-institutions-of-your = 只导入您工作范围内的人员和机构：
rows-outside-it-are-listed-in = 。范围外的行会在报告中逐行列出，不会导入；区划表只由区级管理员导入。
the-format-is-that-of-the = 格式与“花名册导出”相同（xlsx、xls、ods 或 csv；中文或英文表头，列顺序不限）。同一文件再次导入不会重复记录。导入在后台进行，下一页显示进度和报告。
roster-file = 花名册文件
at-most-64-mb = 不超过 64 MB
survey-year = 调查年度
used-for-rows-without-empty-the = 行内未填“调查年度”时使用；不填则取发证日期的年份
upload-and-import = 上传并导入
my-recent-imports = 我最近的导入
recent-imports = 最近的导入
file = 文件
started = 开始时间
result = 结果

## templates/import_job.html
refresh-the-progress = 刷新进度
the-import-runs-in-the-background = 导入在后台进行，离开本页不会中断。
download-the-report-xlsx = 下载报告（xlsx）
download-the-report-json = 下载报告（JSON）
import-another-file = 再导入一个文件
rows-not-imported = 未导入的行
none = 没有。
the-table-lists-the-first-200 = 下表只列前 200 条，完整内容请下载报告。
rejected-cells = 未导入的单元格
sheet = 工作表
row = 行号
column = 列
cell = 单元格内容
reason = 原因
warnings-imported = 提示（已导入）
warnings = 提示
note = 说明

## templates/person.html
person-file = 一人一档
electronic-certificate-card-and-qr-code = 电子残疾人证（证照卡片与二维码）
the-two-subsidies-eligibility-explained-cases = 两项补贴：资格说明、待办、发放记录
needs = 需求登记
sections-of-this-file = 档案目录
identity = 身份信息
certificate = 残疾人证
household = 户籍与家庭
annual-survey = 年度调查
timeline = 生命周期
show-full-id-and-phone-numbers = 显示完整证件号和电话（将记入审计日志）
full-personal-data-is-shown-this = 正在显示完整个人信息，此次查看已记入审计日志。
partner-view-identity-certificate-and-area = 部门协同视图：仅显示身份、残疾人证和所在地区（数据最小化）。
name = 姓名
citizen-id = 公民身份号码
sex = 性别
date-of-birth = 出生日期
phone = 联系电话
guardian = 监护人
former-15-digit-id = 原15位身份证号
disability-certificate = 残疾人证
number = 证号
category = 残疾类别
grade = 残疾等级
issued-on = 发证日期
valid-until = 有效期至
status = 证件状态
smart-card = 智能化证
certificate-history = 证件历史
category-grade = 类别/等级
issued = 发证日期
status-2 = 状态
residence-and-household = 户籍、居住与家庭
township = 乡镇（街道）
village-community = 村（社区）
hukou-type = 户口性质
household-number = 户编号
household-size = 家庭人口数
certified-members-of-the-same-household = 同户持证成员
annual-basic-service-and-needs-survey = 年度基本服务与需求调查（动态更新）
update-the-survey = 更新调查：
symbol-2 = 年度
no-survey-records-yet = 暂无调查记录。
survey-values-by-year = 各年度调查值
item = 项目
life-cycle-timeline = 生命周期

## templates/person_edit.html
someone-else-changed-this-file = 档案已被他人修改
what-you-entered-is-kept-below = 您填写的内容仍保留在下方。档案当前与您填写不同的内容：
check-then-press-save-changes-again = 核对后再次点击“保存修改”即以您填写的内容为准。
category-grade-renewal-revocation-moving-out = 残疾类别、等级、证件换领、注销、迁出本区和死亡请用“记录生命周期事件”。每项修改都以原值和新值记入档案的生命周期。
save-changes = 保存修改

## templates/person_form.html
register-a-newly-certified-person = 登记新持证人员
fields-marked-are-required-id-and = 带 * 的为必填项。身份证号和残疾人证号可用全角数字输入。
register = 登记

## templates/persons.html
name-citizen-id-or-certificate-number = 姓名、身份证号或残疾人证号
all-my-area = 全部（我的范围）
search = 查询
results = 查询结果
citizen-id-2 = 身份证号
category-grade-2 = 残疾类别/等级

## templates/survey_form.html
yearly-survey-dynamic-update = 年度调查（动态更新）
someone-saved-this-file-while-you = 在您填写期间，其他人保存了这份档案。您填写的内容仍保留在下方；请打开档案核对后，再次点击“保存调查”。
there-is-no-survey-row-for = 该年度尚无调查记录：下列各项取自最近一年的调查，保存后即为本年度的记录。
subsidy-enrolments-set-by-subsidy-decisions = 补贴发放（由补贴审批决定，此处不可修改）
save-the-survey = 保存调查

## src/cli.rs
strict-mode-rejected-n-rows-rejected = 严格模式：有 { $rejected_n } 行被拒绝，未导入任何数据。

## templates/import.html
import-runs = 导入记录
every-import-is-recorded-when-it = 每次导入开始时即记录；“已中断”表示导入进程在完成前停止，已写入的人员完整保留，可重新导入同一文件补齐。
rows-written = 已写入行
rows-rejected = 拒绝行
by = 导入人

## templates/export.html (the export's size)
the-export-holds = 本次导出包含
persons-in-the-export = 人。
department-data = 部门数据
department-data-and-service-records = 部门数据与服务记录
what-each-department-last-said = 各部门最近一次报送的内容
source = 来源
what-it-says = 内容
effective = 生效日期
received = 收到日期
received-on-from-department = { $on } 收到（部门数据交换）
