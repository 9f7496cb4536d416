# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/account.rs
two-step-verification = 双重验证
the-code-is-wrong-enter-the = 验证码不正确：请输入验证器当前显示的 6 位数字。

## src/forms.rs
is-required = 必填
is-not-one-of-the-choices = 不是可选项
no = 否
yes = 是
choose = 请选择

## src/pages.rs
not-found = 未找到
not-allowed = 无权访问
conflict = 保存冲突
something-went-wrong = 出错了
sign-in = 登录
this-account-uses-two-step-verification = 该账户已开启双重验证：请同时填写验证器应用中的 6 位动态验证码（或一个恢复码）。
the-verification-code-is-wrong-or = 动态验证码不正确或已使用，请输入验证器中的最新验证码。
the-username-or-password-is-wrong = 用户名或密码不正确。
overview = 工作台

## templates/_errors.html
there-is-a-problem = 请更正以下问题

## templates/_fields.html
error = 错误：

## templates/_pager.html
pages = 分页
previous-page = 上一页
next-page = 下一页

## templates/base.html
digital-disabled-persons-federation = 黄岩区数字残联
skip-to-main-content = 跳到主要内容
zhucan-digital-dpf = 助残 · 数字残联
account-and-language = 账户与语言
normal-text = 标准字号
large-text = 大字
normal-colours = 标准配色
high-contrast = 高对比度
full-wording = 完整说明
easy-read = 易读版
sessions-and-tokens = 会话与令牌
sign-out = 退出登录
main = 主导航
home = 首页
public-indicators = 公开指标
huangyan-district-disabled-persons-federation-th = 黄岩区残疾人联合会 · 本系统含敏感个人信息，仅限授权人员依职责使用，所有查阅均记录在案。

## templates/error.html
back-to-the-home-page = 返回首页

## templates/home.html
your-area = 您的工作范围：
person-files-in-your-area-including = 范围内持证残疾人档案（含已注销、死亡、迁出）
common-tasks = 常用操作

## templates/login.html
could-not-sign-in = 无法登录
username = 用户名
password = 密码
verification-code = 动态验证码
if-your-account-uses-two-step = 已开启双重验证的账户填写验证器中的 6 位数字，或一个恢复码；其他账户留空。
disabled-people-and-guardians-create-an = 持证残疾人或监护人：开通服务账户

## templates/two_factor.html
two-step-verification-is-on = 双重验证已开启。
recovery-codes = 恢复码
each-recovery-code-works-once-in = 每个恢复码只能用一次，可在手机丢失时代替动态验证码登录。请现在抄下或打印并妥善保管；此页关闭后不再显示。
continue = 继续
two-step-verification-is-on-signing = 双重验证已开启：登录时需要验证器中的动态验证码。
unused-recovery-codes = 剩余可用恢复码：
administrator-accounts-must-turn-on-two = 管理员账户必须开启双重验证后才能使用本系统。
install-an-authenticator-app-on-your = 在手机上安装验证器应用（支持 TOTP 标准的任意应用）。
scan-the-qr-code-below-with = 用应用扫描下面的二维码，或手动输入密钥。
enter-the-6-digit-code-the = 输入应用显示的 6 位验证码以确认。
two-step-verification-qr-code-same = 双重验证二维码（内容与下方密钥相同）
key = 密钥：
n-6-digit-code = 6 位验证码
turn-on-two-step-verification = 开启双重验证

## src/error.rs: the kernel's error codes (docs/error-codes.md)
error-unauthorized = 需要登录：请提供有效的 Bearer 令牌
error-forbidden = 您的角色无权进行此操作
error-token-read-only = 该令牌只有只读权限（scope=read），只能用于 GET 请求
error-not-found = 未找到
error-invalid-parameter = 参数无效
error-invalid-json = 请求体不是有效的 JSON
error-invalid-credentials = 用户名或密码不正确
error-second-factor-required = 该账户已开启双重验证：请在 totp 字段中提供动态验证码
error-second-factor-wrong = 动态验证码不正确或已使用
error-second-factor-not-enrolled = 管理员账户须先在网页上开启双重验证，才能使用 API
error-account-locked = 该账户因连续多次密码错误已临时锁定，请稍后再试
error-version-conflict = 该档案已被他人修改，请刷新后重试
error-exists = 记录已存在
error-rate-limited = 请求过于频繁，请稍后再试
error-internal = 服务器内部错误，已记录，请稍后再试

## src/purpose.rs
export-purpose-too-long = 用途“{ $start }…”过长：最多 { $max } 个字
export-purpose-needed = 用途“{ $purpose }”无效：导出 { $rows } 条超过 { $threshold } 条，须写明用途（至少 { $min } 个字），用途将记入审计日志
purpose-of-the-export = 导出用途
the-list-has-more-than = 名单超过
rows-state-the-purpose-it-is = 条，须写明用途；用途记入审计日志。
optional-a-stated-purpose-is-recorded = 可选；写明的用途记入审计日志。
purpose-required = 必填

# The title of a page showing a failed submission.
error-title = 错误：{ $title }
not-a-date = “{ $v }”不是日期，格式如 2026-01-31
date-in-the-future = 日期 { $v } 晚于今天
no-person-in-your-area = 您的辖区内没有身份证号为 { $v } 的持证残疾人
person-gone-on = 该人员在 { $v } 或之前已死亡或迁出

nothing-recorded-yet = 暂无记录
needs-attention = 需要处理
