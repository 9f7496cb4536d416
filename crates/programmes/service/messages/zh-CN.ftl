# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/citizen.rs
i-am = 我是
the-certified-person = 持证残疾人本人
the-guardian-named-on-the-file = 档案上登记的监护人
certificate-holder-s-name = 持证人姓名
holder-s-citizen-id = 持证人公民身份号码
n-18-characters-the-last-may-be = 18 位，最后一位可能是 X
certificate-number = 残疾人证号
n-20-characters-the-id-and-two = 20 位：身份证号加 2 位数字
guardian-s-name-when-a-guardian = 监护人姓名（监护人开通时填写）
username = 登录用户名
letters-digits-and-at-most-64 = 字母、数字和 . _ - @，最多 64 个字符
password = 密码
at-least-10-characters-from-two = 至少 10 位，含字母、数字、符号中的两类
password-again = 再次输入密码
create-your-account = 开通服务账户
is-not-a-choice = 不是可选项
is-required = 必填
is-required-for-a-guardian = 监护人开通时必填
is-not-a-valid-username = 不是有效用户名
the-passwords-do-not-match = 两次输入的密码不一致
the-details-do-not-match-the = 填写的信息与残联档案不符。请核对姓名、身份证号和残疾人证号（监护人还须与档案登记的监护人姓名一致），或联系所在乡镇（街道）残联。
this-person-already-has-an-account = 此人员已开通账户，请直接登录；忘记密码请联系所在乡镇（街道）残联。
is-taken-choose-another = 已被使用，请换一个
in-progress = 办理中
more-information-needed = 请补充材料
approved = 已批准
not-approved = 未获批准
withdrawn = 已撤回
unknown = 未知
you-receive-it = 正在享受
applied-in-progress = 已申请，办理中
you-may-apply = 您可以申请
my-file = 我的档案
your-account-is-ready-this-is = 账户已开通。这是您的档案，您可以在这里申请服务、查看进度和出示电子证照。
services = 服务事项
choose = 请选择
yes = 是
no = 否
please-upload-this-document = 请上传此材料
applied = 提交申请
a-step-was-completed = 完成一个办理环节
more-information-requested = 请补充材料
information-provided = 已补充材料
approved-2 = 批准
not-approved-2 = 不予批准
other = 其他
done = 已完成
not-approved-at-this-step = 在此环节不予批准
not-reached = 未办理
not-started = 未开始
your-answer = 您的答复
must-be-at-most-1000-characters = 不能超过 1000 个字
what-it-is-about = 需求类型
tell-us-what-you-need = 请说说您的需求
at-most-500-characters = 不超过 500 字
recorded-waiting = 已登记，待处理
being-handled = 已分派办理
closed = 已办结
my-needs = 我的需求
as-the-service = 转入服务：
referred = 转介：
we-have-your-need-staff-will = 已收到您的需求，工作人员会尽快处理。
messages = 消息
electronic-certificate = 电子证照

## src/desk.rs
waiting-for-the-applicant = 等待申请人补充材料
rejected-at-this-step = 在此环节不予批准
not-done = 未办理
current-waiting-for-information = 当前环节（等待补充材料）
current = 当前环节
service-desk = 服务受理
approve = 批准
complete-this-step = 完成本环节：
ask-the-applicant-for-more-information = 请申请人补充材料
reject = 不予批准
this-is-the-last-step-the = 这是最后一个环节，由批准或不予批准完成
action = 办理
note-or-reasons-sent-to-the = 意见或理由（告知申请人）
required-to-ask-for-information-or = 补充材料、不予批准时必填；请用申请人能懂的话
easy-read-reasons-optional = 易读版理由（可不填）
short-sentences-and-everyday-words = 短句、常用词，方便智力残疾人理解
say-what-is-needed-or-why = 请写明需要补充什么或不予批准的理由
needs = 需求征集
the-person-or-family = 本人或家属
village-worker = 专职委员
staff = 工作人员
triage-to-a-service = 转入服务事项
refer-elsewhere = 转介其他部门或机构
close = 办结
for-a-service = （转入服务时选择）
action-2 = 处理
service = 服务事项
where-it-was-referred-or-the = 转介去向或办结结果
need = 需求
choose-a-service = 请选择服务事项
say-where-it-was-referred-or = 请写明转介去向或办结结果
must-be-at-most-500-characters = 不能超过 500 个字
kind = 需求类型
the-need = 需求内容
needs-2 = 需求

## templates/_me_nav.html
service-end = 服务端

## templates/_person_switch.html
switch-person-guardian = 切换人员（监护）
you-can-see = 您可以查看：

## templates/_uploads.html
pdf-jpg-or-png-at-most = PDF、JPG 或 PNG，不超过 5 MB
error = 错误：

## templates/desk_application.html
back-to-the-applications = 返回受理列表
applicant = 申请人
status = 状态
step = 当前环节
applied-2 = 提交
due = 承诺办结
overdue = 已逾期
reasons = 决定理由
steps = 办理环节
the-application = 申请内容
documents = 材料
none = 无。
history = 办理记录
act = 办理
submit = 提交

## templates/desk_need.html
back-to-the-needs = 返回需求列表
person = 人员
need-2 = 内容
handled = 处理情况
satisfaction = 满意度
act-2 = 处理

## templates/desk_needs.html
applications = 申请
unmet-needs-by-township-and-kind = 未解决的需求（按乡镇和类型）
no-unmet-needs = 没有未解决的需求。
township = 乡镇（街道）
total = 合计
by-status = 按状态
open = 待处理
being-handled-2 = 已分派
all = 全部
citizen-id = 身份证号
area = 地区
kind-2 = 类型
from = 来源
recorded = 登记

## templates/desk_person_needs.html
back-to-the-person-file = 返回一人一档
no-needs-recorded-yet = 还没有登记需求。
record-a-need-heard-on-a = 登记需求（走访中听到的）
record = 登记

## templates/desk_queue.html
service-2 = 事项
all-2 = 全部
overdue-only = 只看已逾期
filter = 筛选

## templates/me.html
you-have-new-messages = 您有新消息
disability-certificate = 残疾人证
citizen-id-2 = 公民身份号码
category = 残疾类别
grade = 残疾等级
issued-on = 发证日期
valid-until = 有效期至
status-2 = 证件状态
smart-card = 智能化残疾人证
show-the-electronic-certificate-qr-code = 出示电子证照（二维码）
what-you-are-entitled-to = 您可以享受的服务
nothing-at-present = 暂无。
apply = 申请
the-two-subsidies = 两项补贴
recent-payments = 最近的发放记录
month = 月份
subsidy = 补贴
amount-yuan = 金额（元）
my-applications = 我的申请
no-applications-yet = 还没有申请。
applied-3 = 提交于
due-2 = 承诺办结
all-services = 查看全部服务事项

## templates/me_application.html
back-to-my-file = 返回我的档案
for = 申请人
applied-on = 提交日期
the-decision = 办理结果
more-information-needed-2 = 请补充材料
send-the-answer = 提交答复
progress = 办理进度
what-you-sent = 申请内容
history-2 = 记录

## templates/me_certificate.html
let-staff-scan-the-code-it = 把二维码给工作人员扫一扫，就能证明您的残疾人证有效。

## templates/me_messages.html
no-messages = 没有消息。
new = 新
open-2 = 查看

## templates/me_needs.html
tell-us-what-is-hard-for = 有什么困难，告诉我们。我们会回复您。
tell-us-a-need = 提出需求
send = 提交
needs-you-told-us = 已提出的需求
none-yet = 还没有。
your-answer-2 = 您的评价：
are-you-satisfied-with-how-it = 您对处理结果满意吗？
satisfied = 满意
fairly-satisfied = 基本满意
not-satisfied = 不满意
send-2 = 提交评价

## templates/me_service.html
back-to-the-services = 返回服务事项
who-may-apply = 谁可以申请
done-within = 承诺办结
days = 天
for-2 = 为谁申请
apply-2 = 填写申请
for-safety-choose-the-files-to = 出于安全原因，请重新选择要上传的文件。
submit-the-application = 提交申请
as-your-file-stands-you-cannot = 按档案中的情况，目前不符合申请条件。如情况有变，请联系所在乡镇（街道）残联。

## templates/me_services.html
who-may-apply-2 = 谁可以申请：
done-within-2 = 承诺
days-2 = 天办结
as-your-file-stands-you-cannot-2 = 按档案中的情况，目前不能申请。

## templates/signup.html
the-certified-person-or-the-guardian = 持证残疾人本人或档案上登记的监护人，凭姓名、身份证号和残疾人证号即可开通。开通后可在网上申请服务、查看进度、提出需求、出示电子证照。
easy-read-use-the-name-and = 用残疾人证上的名字和号码开通账户。
we-could-not-create-the-account = 无法开通
create-the-account = 开通
already-have-an-account-sign-in = 已有账户？登录
steps-are-worked-on-the-project-page = 本事项的各环节和验收在项目页办理（那里记录评估、施工和验收的内容）；这里只能请申请人补充材料或写明理由不予批准
open-the-project-page = 打开项目页办理各环节

# Stated needs a programme takes (taken.rs)
stated-needs-waiting = 待转办的{ $kind }需求
needs-waiting-n-shown-m = 共 { $n } 条待转办，列出最早的 { $m } 条。
take-the-need = 据此办理
person-name = 姓名
recorded-on = 登记日期
stated-by = 提出人
not-the-person-of-the-need = 不是提出该需求的人
not-a-waiting-need = 需求“{ $v }”不存在、已办结或已转办
not-eligible-to-apply = 按档案中的情况，此人目前不符合该事项的申请条件（适用对象：{ $who }）
already-applied = 此人已有一份办理中的该事项申请（{ $v } 提交）
survey-needs-unmet = 年度调查中有{ $kind }需求、尚未获得服务的人（指标缺口名单）
find-a-job = 找工作
