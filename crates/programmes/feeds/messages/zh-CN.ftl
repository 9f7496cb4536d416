# 本 crate 的中文消息。键与英文文件相同。

## src/run.rs
refusal-no-department = 此协同部门账号尚未设定所属部门，不能报送数据：请系统管理员在“数据交换 › 协同部门”中设定。
refusal-not-your-kind = { $department }只能报送 { $kinds }，不能报送“{ $kind_label }”（{ $kind }）。
refusal-not-allowed = 您的账号不能报送“{ $kind_label }”（{ $kind }）。
unmatched-no-person = 登记库中没有此公民身份号码的持证残疾人
unmatched-not-in-your-area = 您的工作范围内没有此公民身份号码的持证残疾人
name-differs-from-registry = 姓名与登记库不一致（已按公民身份号码匹配，请核对）

## src/cli.rs
run-summary = { $kind }：收到 { $received } 行，匹配 { $matched }，变更 { $changed }，无变化 { $unchanged }，未匹配 { $unmatched }，拒收 { $rejected } 处

## src/api.rs
error-unknown-kind = 未知的数据类型。
error-kind-forbidden = 您的账号不能报送此类数据。
error-file-refused = 文件无法读取，未写入任何数据。

## src/pages.rs
status-running = 正在写入
status-done = 已完成
status-failed = 未写入（文件被拒收）
status-interrupted = 已中断（已写入的行完整有效，可重新报送同一文件）
counts-line = 收到 { $received }，匹配 { $matched }，变更 { $changed }，无变化 { $unchanged }，未匹配 { $unmatched }，拒收 { $rejected } 行
channel-push = 接口推送
channel-upload = 页面上传
channel-file = 服务器文件
feeds-title = 数据交换
choose-a-kind = 请选择数据类型（“{ $value }”无效）。
choose-a-file = 请选择要上传的文件。
file-too-large = 文件超过 64 MB。
run-title = 报送批次
resolved-applied = 已更正为 { $to } 并写入（{ $by }）
resolved-not-ours = 已标记为非本区人员（{ $by }）
corrected-id-invalid = 更正后的公民身份号码“{ $value }”无效：{ $why }
corrected-id-unknown = 您的工作范围内没有公民身份号码为 { $value } 的人员。
already-resolved = 这一行已经处理过。
marked-not-ours = 已标记为非本区人员。
applied-to-person = 已写入该人员的档案。
applied-unchanged = 该人员档案中已有相同数据，未作变更。
count-received = 收到
count-matched = 匹配
count-changed = 变更
count-unchanged = 无变化
count-unmatched = 未匹配
count-rejected = 拒收（行）
partners-title = 协同部门账号
no-such-account = 没有名为“{ $value }”的账号。
not-a-partner = 账号“{ $value }”不是协同部门账号。
unknown-department = 未知的部门“{ $value }”。
department-set = 已将 { $user } 的所属部门设为：{ $department }

## templates
there-is-a-problem = 出现问题
feeds-intro = 民政、公安、医保、人社、卫健、教育部门的数据和各机构的服务记录在这里汇入：按公民身份号码匹配，按各自的日期生效，从不覆盖历史。指标、补贴核查和发放在下次计算时即采用。
your-department = 所属部门：
upload-a-file = 上传文件
kind = 数据类型
file = 文件
file-hint = .xlsx、.xls 或 .csv，最大 64 MB；表头可用中文或英文键名。
upload-and-apply = 上传并写入
nothing-to-send = 您的账号不能报送数据。
runs = 报送记录
no-runs-yet = 还没有报送记录。
started = 开始时间
channel = 方式
sent-by = 报送人
status = 状态
counts = 数量
back-to-runs = 返回报送记录
finished = 完成时间
refresh-the-progress = 刷新进度
download-the-report-json = 下载报告（JSON）
unmatched-rows = 未匹配的行
none = 无
unmatched-intro = 这些行没有对应的持证残疾人，未写入任何档案。请核对公民身份号码后写入，或标记为非本区人员。
row = 行
citizen-id = 公民身份号码
name = 姓名
what-it-says = 内容
reason = 原因
resolution = 处理
corrected-citizen-id = 更正后的公民身份号码
apply-to-this-person = 写入此人
not-ours = 非本区人员
open = 待处理
rejected-cells = 拒收的单元格
first-200-shown = 表中只列出前 200 处，完整清单见 JSON 报告。
sheet = 工作表
column = 列
cell = 单元格内容
warnings = 提示
note = 说明
partners-intro = 协同部门账号只能报送本部门的数据：民政报送救助类别，公安报送户籍变动，医保和人社报送参保，人社报送就业，卫健报送签约随访，教育报送学籍。
partner-account = 协同部门账号
department = 所属部门
no-department = （不设定）
save = 保存
partner-accounts = 已设定的账号
