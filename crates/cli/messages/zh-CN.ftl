# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/main.rs
cannot-start-the-runtime-e = 无法启动运行时：{ $e }
serving-open-http-bound-in-a = 服务已启动：请在浏览器中打开 http://{ $bound }/ （按 Ctrl-C 停止）
account-username-created = 已创建账户 { $username }
account-username-disabled-its-sessions-ended = 已停用账户 { $username }：其会话已结束，令牌已吊销
account-username-enabled = 已启用账户 { $username }
internal-error-the-operation-did-not = 内部错误：操作未完成；已提交的数据完整，未完成的部分没有写入（设置 ZHUCAN_LOG=debug 可查看详情）。
loading-the-demo-district = 正在生成演示数据……

## src/ops.rs
demo-district-loaded-seen-persons = 已载入演示数据：{ $seen } 人。
account-username-role-and-area-unchanged = 账户 { $username } 的角色和地区没有变化
demo-persons = 生成演示人员
demo-accounts-demo-only-never-for = 演示账户（仅供演示，切勿用于真实数据；管理员账户首次登录须用验证器应用开启双重验证）：
