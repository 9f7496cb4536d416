# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/admin.rs
choose-a-role = 请选择角色
accounts = 账户管理
use-letters-digits-and-at-most = 用户名只能使用字母、数字和 . _ - @，最多 64 个字符
this-username-is-taken = 该用户名已被使用
the-area-is-not-in-the = 该地区不在区划字典中
the-session-has-ended = 会话已结束。
the-token-has-been-revoked = 令牌已吊销。
role-and-area-are-unchanged-nothing = 角色和地区没有变化，未作更改。

## src/audit_pages.rs
audit-trail = 审计日志

## src/cli.rs
audit-trail-intact-records-records-hash = 审计日志完整：{ $records } 条记录，哈希链校验通过{ $from }。

## src/security.rs
default = 默认值
security-policy = 安全策略
nothing-changed-nothing-was-saved = 没有改动，未保存。

## src/sessions.rs
unknown = 未知
not-recorded = 未记录
issued-earlier = （早期签发）
sessions-and-tokens = 登录会话与令牌

## templates/_sessions.html
sessions = 登录会话
there-are-no-active-sessions = 没有有效的登录会话。
active-sessions-times-in-utc = 有效的登录会话（时间为 UTC）
signed-in = 登录时间
last-active = 最近活动
client-address = 客户端地址
browser = 浏览器
action = 操作
this-session = 本会话
end-this-session-sign-out = 结束本会话（退出）
end-session = 结束会话
signed-in-2 = 登录于
api-tokens = API 令牌
there-are-no-usable-api-tokens = 没有有效的 API 令牌。
usable-api-tokens-times-in-utc = 有效的 API 令牌（时间为 UTC）
issued-by = 签发方式
scope = 权限
issued = 签发时间
expires = 到期时间
revoke = 吊销
issued-2 = 签发于

## templates/account_sessions.html
these-are-your-account-s-active = 这里列出您的账户当前有效的登录会话和 API 令牌。如有不认识的会话或令牌，请立即结束或吊销，并修改密码。

## templates/admin_account.html
back-to-all-accounts = 返回账户列表
account = 账户
role = 角色
area = 地区
two-step-verification = 双重验证
status = 状态
change-role-and-area = 更改角色和地区
you-cannot-change-your-own-role = 不能更改自己的角色或地区（三权分立）：请由另一名系统管理员操作。
each-account-has-one-role-a = 每个账户只有一个角色。更改后该账户的所有登录会话立即结束、API 令牌全部吊销，须重新登录；更改记入审计日志。
save-role-and-area = 保存角色和地区

## templates/admin_users.html
all-accounts = 全部账户
username = 用户名
two-step = 双重验证
new-account = 新建账户
create-the-account = 创建账户

## templates/audit.html
records-are-append-only-and-hash = 记录只追加、不可修改，并以哈希链相连；可用 zhucan audit verify 校验完整性。
all = 全部
object-e-g-citizen-id = 对象（如身份证号）
from = 起始日期
until = 截止日期
search = 查询
records = 记录
export-as-csv = 导出为 CSV
no = 序号
time-utc = 时间（UTC）
account-role-area = 账户（角色，地区）
client = 客户端
object = 对象
outcome = 结果
detail = 详情

## templates/security_settings.html
these-settings-apply-to-the-whole = 这些设置对整个系统立即生效；每次修改都保留版本、修改人和时间，并连同旧值和新值记入审计日志。
settings-in-force-times-in-utc = 当前生效的设置（时间为 UTC）
setting = 设置
value = 当前值
default-2 = 默认值
version = 版本
last-changed = 最近修改
change-the-settings = 修改设置
save-the-settings = 保存设置
