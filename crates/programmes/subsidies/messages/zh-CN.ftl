# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/cases.rs
already-being-paid-nothing-to-enrol = 已在发放，无需新办
no-longer-eligible-on-review-nothing = 复核后已不符合条件，不予新办
still-eligible-on-review-nothing-to = 复核后仍符合条件，无需停发
no-longer-paid-nothing-to-stop = 已停止发放，无需再停
withdrawn-on-review = 复核后撤回

## src/cli.rs
citizen-id = 公民身份号码
township = 乡镇（街道）
subsidy = 补贴
finding = 发现
reasons = 原因
subsidy-audit = 应补尽补核查
rule-version = 规则版本：
parameter = 参数

## src/pages.rs
eligible-not-enrolled = 符合条件，尚未纳入发放
symbol = ；
subsidy-audit-2 = 两项补贴 应补尽补核查
month = 月份
case-open = 已立案
enrol = 纳入发放
stop = 停止发放
open = 待办
approved = 已批准
rejected = 不予批准
withdrawn = 已撤回
monthly-audit = 月度核查
after-a-change-to-the-file = 档案变更后自动核查（1+X）
opened-by-staff = 工作人员发起
subsidy-cases = 补贴待办
subsidy-case = 补贴待办
decision = 决定
choose = 请选择
approve = 批准
reject = 不予批准
note-required-to-reject = 意见（不予批准时必填）
is-required = 必填
is-not-a-choice = 不是有效选项
give-the-reason-for-a-rejection = 不予批准时须说明理由
must-be-at-most-500-characters = 不能超过 500 个字
draft-computed-live-from-today-s = 草稿：按当前数据实时计算，尚未提交。
subsidy-payroll = 两项补贴发放
recorded-for-reference-only-no-rule = 仅作记录，暂无规则使用（待相关业务上线）
reference-only = （仅作记录）
parameter-2 = 参数
parameters-marked-reference-only-are-read = 标“仅作记录”的参数暂无规则使用：可以录入和测算，但不改变任何人的补贴
applies-to = 适用区域
value = 数值
amounts-in-yuan-1150-ratios-as = 金额写元（1150）；比例写 30% 或 0.3；倍数写 1.3；对象写 低保、低边；档次写 1:*:300, 2:*:240, 3:智力:180
effective-from = 生效日期
e-g-2026-01-01-months = 例如 2026-01-01；之前的月份不受影响
source-document = 依据文件
is-not-a-parameter = 不是参数
is-not-an-area-you-may = 不是可选区域
must-be-at-most-200-characters = 不能超过 200 个字
subsidy-policy-parameters = 补贴政策参数
symbol-2 = 、
the-new-parameter-version-is-saved = 已保存新版本参数。
what-if-the-policy-changed = 政策调整测算
allowance = 补助种类
monthly-amount-yuan-for-same-need = 月金额（元，同类补贴择高时填写）
from-month = 起始年月
e-g-2025-03 = 例如 2025-03
until-month-optional = 截止年月（可空）
source-department-document = 来源（部门、文件）
bank = 开户银行
account-number = 银行账号
n-8-to-30-digits = 8 到 30 位数字
account-holder = 户名
the-two-subsidies = 两项补贴
eligible = 符合条件
not-eligible = 不符合条件
receiving = 享受中
not-receiving = 未享受
yuan-a-month = 元/月
saved = 已保存。
a-same-need-allowance-needs-its = 同类补贴须填写月金额（用于择高）
is-before-the-first-month = 早于起始年月
must-be-at-most-60-characters = 不能超过 60 个字
must-be-8-to-30-digits = 应为 8 到 30 位数字

## src/rules.rs
no-household-status = （未填家庭经济状况）

## src/workbooks.rs
payroll = 发放名册
subsidy-payroll-2 = 两项补贴发放名册
total = 合计
yuan = 元
no = 序号
name = 姓名
township-code = 乡镇（街道）代码
kind = 类型
for-month = 所属月份
amount-yuan = 金额（元）
arrears = 补发
recovery = 追回
regular = 正常发放

## templates/_what_if.html
the-effect = 测算结果
living-subsidy = 困难残疾人生活补贴
nursing-subsidy = 重度残疾人护理补贴
eligible-2 = 符合条件人数
gain-lose = 新增/减少
monthly-cost-yuan = 月度资金（元）
total-2 = 合计

## templates/subsidies_audit.html
judged-on-the-first-day-of = 按当月 1 日的情况和当年调查数据，找出符合条件但未享受的人员，以及享受中但已不符合条件的人员（死亡、迁出、证件注销或过期、不再是低保低边、已纳入特困等）。系统每月并在每次档案变更后自动核查并立案。
e-g-2025-09 = 例如 2025-09
error = 错误：
check = 核查
findings = 核查结果
citizen-id-2 = 身份证号
action = 处理
open-enrol = 立案：纳入发放
open-stop = 立案：停止发放

## templates/subsidies_case.html
back-to-the-cases = 返回待办
person = 人员
asks-to = 事项
from = 自
opened-by = 来源
status = 状态
note = 意见
condition-by-condition-first-day-of = 逐项条件（按起始月份 1 日）
decide = 作出决定
approving-an-enrolment-records-the-payment = 批准纳入发放后，自起始月份起记入该人员的补贴发放记录；以前已关账月份的差额将在下一次发放中补发。批准停发后，自该月起停止发放，已多发的将在下一次发放中追回。
submit-the-decision = 提交决定

## templates/subsidies_cases.html
by-status = 按状态
cases = 待办列表
from-month-2 = 起始月份

## templates/subsidies_nav.html
audit = 应补尽补核查
cases-2 = 待办
payroll-2 = 月度发放
policy = 政策参数
what-if = 政策调整测算

## templates/subsidies_payroll.html
month-2 = 发放月份
show = 查看
submission = 提交记录：
totals = 合计
subsidy-kind = 补贴 · 类型
payments = 笔数
submit-this-month-for-approval-by = 提交本月发放（待另一名管理员审批）
approve-and-close = 审批并关账
download-the-payroll-xlsx = 下载发放名册 xlsx
download-the-bank-file-csv = 下载银行代发文件 CSV
payments-2 = 发放明细
no-payments-this-month = 本月没有发放。

## templates/subsidies_person.html
back-to-the-person-file = 返回一人一档
open-a-case-enrol = 立案：纳入发放
open-a-case-stop = 立案：停止发放
rule-version-and-parameters = 规则版本与参数
cases-and-decisions = 待办与决定
none = 无。
payments-closed-months = 发放记录（已关账月份）
payroll-3 = 发放月份
other-allowances-affect-the-subsidies = 其他补助（影响两项补贴）
payment-account = 代发账户
none-on-file-the-bank-file = 未登记（银行代发文件中此人账号为空）。
record-an-allowance = 登记其他补助
record = 登记
set-the-payment-account = 登记代发账户
save = 保存

## templates/subsidies_policy.html
every-amount-ratio-and-condition-is = 每个金额、比例和条件都是带生效日期和依据文件的数据：某月按当月 1 日有效的参数计算，以前的月份永远按当时的参数。新版本只影响生效日期以后的月份。
every-version = 全部参数版本
marked-recorded-for-reference-only-no = 标注“仅作记录，暂无规则使用（待相关业务上线）”的参数：
they-are-entered-with-their-source = 。它们随依据文件录入、留有版本，但目前没有任何规则读取，改动不会改变任何人的补贴资格、金额或发放名册。
version = 版本
area = 区域
from-2 = 生效日期
source = 依据
entered-by = 录入人
add-a-version = 录入新版本
preview-the-effect = 预览影响

## templates/subsidies_what_if.html
enter-a-new-value-for-one = 输入一项参数的新值（例如新的低保标准，或把护理补贴扩大到三级肢体：档次写 1:*:300, 2:*:240, 3:肢体:180, 3:智力:180, 3:精神:180, 4:智力:180, 4:精神:180），查看各乡镇符合条件的人数变化和月度资金，不改动任何实际数据。
compute = 测算
status-from-civil-affairs-roll = （{ $status }，依据民政救助名册 { $on } 起）
basis-source-on = { $source }（{ $on } 起）
basis = 依据：
withheld-this-month = 本月不予发放（在册但不符合条件）
withheld-intro = 这些人员登记为领取补贴，但本月不符合条件，未列入发放名册；原因后注明依据的部门数据。请通过“应补尽补核查”办理停发。
