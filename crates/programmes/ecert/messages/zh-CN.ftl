# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/pages.rs
disability-certificate-check = 残疾人证核验
try-again-later = 请稍后再试
valid = 有效
cannot-check-now = 暂时无法核验
not-valid = 无效

## src/token.rs
the-certificate-is-revoked-the-code = 该证已注销：扫码将显示“无效”。
the-holder-is-recorded-as-deceased = 持证人已登记死亡：扫码将显示“无效”。
the-holder-has-moved-out-of = 持证人已迁出本区：扫码将显示“无效”。
the-certificate-is-past-its-validity = 该证已过有效期：扫码将显示“无效”，请办理换领。
certificate-verification-qr-code-it-holds = 电子残疾人证核验二维码，内容为下方的核验网址

## templates/certificate.html
electronic-certificate = 电子残疾人证
back-to-the-person-file = 返回人员档案

## templates/certificate_card.html
electronic-disability-certificate = 电子残疾人证
name = 姓名
citizen-id = 公民身份号码
certificate-number = 残疾人证号
category = 残疾类别
grade = 残疾等级
issued-on = 发证日期
valid-until = 有效期至
status = 证件状态
verification-code = 核验二维码（事情码上办）
show-this-code-to-be-scanned = 请出示此二维码供工作人员扫码核验。扫码者只能看到部分隐去的姓名、残疾类别、等级、有效期和“有效/无效”结论。
the-code-is-valid-until = 二维码有效至{" "}
symbol = （
after-that = ）。过期后请
make-a-new-code = 生成新的二维码
symbol-2 = 。
verification-address-to-type-in-when = 核验网址（无法扫码时可手动输入）：

## templates/verify.html
result = 核验结果：
checked-at = 核验时间
this-page-shows-only-what-a = 本页只显示核验所需的信息（姓名部分隐去），不显示照片、身份证号或住址；如需确认本人，请查看其身份证件。二维码只在几分钟内有效，截图无法长期冒用。

# The certificate card: the heading of the certificate's details, after the code.
certificate-details = 证件信息
