"""Every string the floor UI shows, in Simplified Chinese and English, in this one place.

Keys are the English text; `gettext` answers the text in the session's language (zh-CN by
default) and fills `{placeholders}`. Service messages not listed here show as raised.
"""

from __future__ import annotations

from flask import session

DEFAULT = "zh-CN"
LANGUAGES = {"zh-CN": "中文", "en": "English"}

ZH: dict[str, str] = {
    # chrome
    "Return centre": "退货处理中心",
    "Receive": "收货",
    "Inspect": "质检",
    "Dispose": "处置",
    "Exceptions": "异常件",
    "Returns": "退货单",
    "Sign out": "退出",
    "Back": "返回",
    # sign-in
    "Sign in": "登录",
    "Scan your badge": "扫描工牌",
    "Username and PIN": "用户名和PIN码",
    "Username": "用户名",
    "PIN": "PIN码",
    "Signed out after inactivity.": "长时间未操作，已退出登录。",
    "Unknown username or wrong PIN.": "用户名不存在或PIN码错误。",
    "Unknown badge.": "工牌无法识别。",
    "Too many wrong PINs; the account is locked for a few minutes.": (
        "PIN码错误次数过多，账号已锁定几分钟。"
    ),
    # errors
    "The form had expired; please try again.": "表单已过期，请重试。",
    "Your role may not open this page.": "您的角色无权打开此页面。",
    "Not found.": "未找到。",
    "Something went wrong.": "出错了，已记录。",
    # receiving
    "Scan a parcel": "扫描包裹",
    "Scan the next parcel": "扫描下一个包裹",
    "Tracking number, RMA slip or order number.": "快递单号、退货单条码或订单号。",
    "Parcel matched: {rma}": "包裹已匹配：{rma}",
    "Unmatched: put the parcel on the exception shelf.": "未匹配——请将包裹放到异常货架。",
    "Return is finished: put the parcel on the exception shelf.": (
        "退货单已结束——请将包裹放到异常货架。"
    ),
    "Scan an item": "扫描商品",
    "Reason": "退货原因",
    "Expected": "应收",
    "Received": "已收",
    "Received as {lpn}": "已收货：{lpn}",
    "Close parcel": "关闭包裹",
    "Closed with differences.": "已关闭，有差异。",
    "Closed: everything arrived.": "已关闭，全部到齐。",
    "Summary": "汇总",
    "units": "件",
    "short": "短少",
    "extra": "多件",
    "damaged": "破损",
    "Wrong item: put it on the exception shelf.": "错件——请放到异常货架。",
    "Extra: not expected in this return.": "多件——此退货单未包含。",
    "Serial number does not match: possible swap.": "序列号不符——可能被调包。",
    "Damaged in transit: recorded.": "运输破损——已记录。",
    "The parcel is closed; scan the parcel again to re-open it.": (
        "包裹已关闭；再次扫描包裹可重新打开。"
    ),
    "The parcel is already closed.": "包裹已关闭。",
    "Nothing readable was scanned.": "未扫描到可识别的内容。",
    # reasons and statuses
    "no_reason_7d": "7天无理由",
    "quality": "质量问题",
    "wrong_item": "错件",
    "serial_mismatch": "序列号不符",
    "transit_damage": "运输破损",
    "matched": "正常",
    "received": "已收货",
    "partially_received": "部分收货",
    "unmatched_parcel": "未匹配包裹",
    "empty_parcel": "空包",
    "return_not_open": "退货单已结束",
    # supervisor
    "Open exceptions": "待处理异常",
    "Claim": "认领",
    "Resolve": "处理",
    "Note": "备注",
    "RMA to match": "匹配的退货单号",
    "match": "匹配退货单",
    "accept": "接受",
    "reject": "拒绝",
    "return_to_buyer": "退回买家",
    "claimed by {who}": "{who} 已认领",
    "Claimed.": "已认领。",
    "Resolved.": "已处理。",
    "No open exceptions.": "没有待处理的异常。",
    "No return with that identifier.": "没有该编号的退货单。",
    "Search returns": "搜索退货单",
    "RMA, order, external id, tracking or LPN": "退货单号、订单号、外部单号、快递单号或LPN",
    "Timeline": "时间线",
    "Status": "状态",
    "Store": "店铺",
    "Buyer": "买家",
    "Units": "商品",
    "Inspections": "质检",
    "Events": "事件",
    "When": "时间",
    "Who": "操作人",
    "What": "操作",
    # inspection
    "Scan an LPN": "扫描LPN",
    "Checklist": "检查表",
    "Photos": "照片",
    "Notes": "备注",
    "Confirm": "确认",
    "Yes": "是",
    "No": "否",
    "Grade": "等级",
    "Recommendation": "建议处置",
    "Deduction": "扣款",
    "Inspected: grade {grade}.": "质检完成：等级 {grade}。",
    "restock": "重新上架",
    "refurbish": "翻新",
    "scrap": "报废",
    # disposition
    "Recommended route": "建议处置",
    "Scan a bin to restock": "扫描库位以上架",
    "Other route (supervisor)": "其他处置（主管）",
    "Route": "处置方式",
    "Done: {route}.": "完成：{route}。",
}

CATALOGUES = {"en": {}, "zh-CN": ZH}


def current() -> str:
    """The session's language, or the default."""
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT


def gettext(text: str, **values) -> str:
    """`text` in the current language, with `{name}` placeholders filled from `values`."""
    translated = CATALOGUES[current()].get(text, text)
    return translated.format(**values) if values else translated
