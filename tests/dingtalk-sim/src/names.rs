//! Word lists the generator draws from: Chinese surnames and given-name characters, department
//! names, job titles, cities and mobile prefixes. Data only; choosing among them is `generate.rs`'s
//! job.

/// Common single-character surnames.
pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙",
];

/// Two-character surnames, drawn now and then.
pub(crate) const COMPOUND_SURNAMES: &[&str] = &["欧阳", "上官", "司马", "诸葛", "慕容", "东方"];

/// Characters that make up given names.
pub(crate) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "英", "华", "文", "辉", "玉", "萍", "红", "鹏", "飞", "斌", "宇",
    "浩", "凯", "欣", "怡", "婷", "雪", "琳", "晨", "阳", "博", "然", "子", "轩", "梓", "涵", "思",
    "雨", "佳", "俊", "志", "建", "国", "海", "林", "峰", "鑫", "慧", "颖", "晓", "冬", "春", "秋",
    "宁", "安", "嘉", "诺", "泽", "睿", "瑞", "航",
];

/// Names of departments directly under the root; repeats get a number appended so every name
/// stays distinct.
pub(crate) const TOP_DEPARTMENTS: &[&str] = &[
    "研发中心",
    "产品中心",
    "销售部",
    "市场部",
    "财务部",
    "人力资源部",
    "行政部",
    "法务部",
    "客服中心",
    "供应链中心",
    "品牌公关部",
    "华东大区",
    "华南大区",
    "华北大区",
    "西南大区",
    "北京分公司",
    "上海分公司",
    "深圳分公司",
    "杭州分公司",
    "战略投资部",
    "商务拓展部",
];

/// Names of deeper departments (teams); repeats get a number appended.
pub(crate) const TEAMS: &[&str] = &[
    "运维组",
    "测试组",
    "前端组",
    "后端组",
    "移动端组",
    "数据平台组",
    "算法组",
    "设计组",
    "安全组",
    "基础架构组",
    "采购组",
    "渠道组",
    "大客户组",
    "招聘组",
    "培训组",
    "薪酬组",
    "质量组",
    "交付组",
    "售前组",
    "运营组",
];

/// Job titles; the empty title stands for employees without one.
pub(crate) const TITLES: &[&str] = &[
    "工程师",
    "高级工程师",
    "资深工程师",
    "技术专家",
    "产品经理",
    "高级产品经理",
    "设计师",
    "测试工程师",
    "运维工程师",
    "数据分析师",
    "销售代表",
    "销售经理",
    "客户经理",
    "市场专员",
    "财务专员",
    "会计",
    "人事专员",
    "行政专员",
    "法务专员",
    "项目经理",
    "部门经理",
    "总监",
    "实习生",
    "",
];

/// Office cities; the empty place stands for "not set".
pub(crate) const WORK_PLACES: &[&str] = &[
    "杭州", "北京", "上海", "深圳", "广州", "成都", "武汉", "南京", "西安", "",
];

/// Three-digit prefixes of mainland China mobile numbers (13x, 15x, 18x).
pub(crate) const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "184", "185", "186",
    "187", "188", "189",
];
