/**
 * Realistic government prose for the text bench: 函 and 簽 with their header blocks, meeting minutes with numbered
 * items, and regulation text (保密 rules, 資安 rules), at the density of 機密, 密, 保密, 公務機密, 密切 and 密碼 such
 * documents really have. Unlike mail, most of it sits near a trigger character, which is what makes it the hard case
 * for windowed scanning. A few documents carry a real mark (a filled 密等 field, MND portion marks, a delimited
 * region). Deterministic (seeded).
 */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const AGENCIES = ['國防部', '內政部', '經濟部', '交通部', '行政院海洋委員會', '國家安全局', '法務部調查局', '外交部'];
const UNITS = ['政風室', '資訊室', '秘書室', '人事室', '主計室', '作戰計畫處', '綜合規劃司', '總務司'];
const NAMES = ['王志明', '陳淑芬', '林建宏', '張雅婷', '李俊傑', '黃美玲', '吳宗翰', '劉怡君'];
const CN_NUM = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const TIAN = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛'];
const ORDINAL_HEADS = ['壹', '貳', '參', '肆', '伍', '陸'];

/** Sentences of ordinary 公文 and minutes prose, heavy with the words that share characters with marks. */
const CLAUSES = [
  '請各單位確實督導所屬同仁落實公務機密維護，並依規定辦理保密教育訓練',
  '涉及國家機密或公務機密之文書，應依文書處理手冊規定辦理，不得以電子郵件傳送',
  '本案與相關機關密切聯繫，並請各單位緊密配合辦理',
  '資訊系統帳號密碼應定期更換，密碼長度至少十二碼，並不得與帳號相同',
  '請承辦人員注意保密，會議資料會後一律收回，不得攜出',
  '為強化機密文書管理，請各單位於年底前完成機密檔案清查',
  '依國家機密保護法第四條規定，國家機密等級區分為絕對機密、極機密及機密三級',
  '機密文書之傳遞，應由指定人員親自持送，並登記於機密文書收發登記簿',
  '近期發生公務電腦遭植入惡意程式致密碼外洩情事，請同仁提高警覺',
  '各單位辦理採購案件，底價及評選委員名單應予保密，並依採購法相關規定辦理',
  '檢附本部保密工作執行情形檢討報告乙份，請卓參',
  '請政風單位加強機關安全維護及保密宣導，以防洩密事件發生',
  '本年度各機關辦理公務機密維護宣導計50場次，參加人數計2,145人次',
  '電子公文系統已全面啟用加密傳輸，解密金鑰由資訊室統一保管',
  '請依說明段所列期程辦理，並將辦理情形函復本部',
  '有關人員調動及職務代理事宜，請人事室於本月底前簽陳核定',
  '經費核銷作業請依主計室規定檢附原始憑證，並於期限內送審',
  '會議決議事項請各權責單位列管追蹤，並於下次會議提出辦理情形報告',
  '為精進業務聯繫，請各單位指派聯絡窗口一人，並於3日內回復',
  '本案經費新臺幣385萬元，由本部年度預算項下支應',
  '對於洩漏或交付公務機密之行為，依刑法第132條規定處罰',
  '各級主管應嚴密督導，並將保密責任納入平時考核',
  '密件公文之收發，應由收發單位登記並彌封後送交承辦單位',
  '資通安全事件應於知悉後一小時內通報，並依資通安全管理法辦理',
  '請各單位於11月30日前提報年度施政計畫執行進度，並副知研考科',
  '本部辦公廳舍空調設備汰換工程預定於下月上旬施工，施工期間請配合調整辦公位置',
  '旨揭研習課程報名人數踴躍，請各單位依分配名額薦派人員參加',
  '差勤管理系統將於本週六進行版本更新，更新期間暫停服務',
  '各單位公務車輛之使用，應依車輛管理要點填具派車單，並經主管核可',
  '年度考績評列作業請依公務人員考績法及其施行細則規定辦理',
  '為推動節能減碳，請同仁下班前關閉電腦及照明設備',
  '立法院審查本部預算案之附帶決議，請相關單位研提書面報告',
  '本案業經本部法規委員會審查完竣，擬依程序發布施行',
  '請於收文後5日內將意見表送本部綜合規劃司彙整',
];

const REG_CLAUSES = [
  '本法所稱國家機密，指為確保國家安全或利益而有保密之必要，對政府機關持有或保管之資訊，經依本法核定機密等級者',
  '國家機密等級區分如下：一、絕對機密：適用於洩漏後足以使國家安全或利益遭受非常重大損害之事項。二、極機密：適用於洩漏後足以使國家安全或利益遭受重大損害之事項。三、機密：適用於洩漏後足以使國家安全或利益遭受損害之事項',
  '國家機密之核定，應於核定之同時，依職權或授權決定其保密期限或解除機密之條件',
  '機密文書應以密封方式傳遞，並於封套上標示機密等級；內封套應加蓋「密」戳，外封套不得標示',
  '一般公務機密之核定，由承辦人員擬註，經單位主管核定之',
  '保密期限屆滿或解除機密條件成就時，由原核定機關依規定辦理解密',
  '公務人員對於機密事項，無論是否主管事務，均不得洩漏，離職後亦同',
  '機關應指定專責人員辦理機密文書之登記、保管、傳遞及銷毀，並定期檢查',
  '資訊系統之存取應設定密碼及權限控管，密碼應符合複雜度要求並定期變更',
  '違反第一項規定者，除依相關法令懲處外，並應追究其主管之監督責任',
  '機密檔案之閱覽、抄錄或複製，應經機關首長或其授權人員核准，並作成紀錄',
  '前項機密資料，於保密期限屆滿後，應依檔案法規定辦理移轉或銷毀',
];

const REG_TITLES = [
  '國家機密保護法施行細則',
  '文書及檔案管理電腦化作業規範',
  '行政院及所屬各機關資訊安全管理要點',
  '機關公務機密維護作業要點',
  '政府採購法施行細則',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function int(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function sentence(r: () => number, n = int(r, 1, 3)): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(pick(r, CLAUSES));
  }
  return parts.join('；') + '。';
}

function rocDate(r: () => number): string {
  return `中華民國${int(r, 113, 115)}年${int(r, 1, 12)}月${int(r, 1, 28)}日`;
}

/** A classified document's 密等 field value, or the blank (or 普通) most documents carry. */
function secrecyField(r: () => number, marked: boolean): string {
  if (!marked) {
    return r() < 0.8 ? '' : '普通';
  }
  return pick(r, ['密（本件於公布時解密）', '機密（本件至116年12月31日解密）', '密（附件抽存後解密）', '極機密']);
}

function letter(r: () => number, marked: boolean): string[] {
  const agency = pick(r, AGENCIES);
  const lines = [
    `檔　　號：${int(r, 100, 115)}/${int(r, 1000, 9999)}.${int(r, 1, 9)}`,
    `保存年限：${pick(r, ['3年', '5年', '10年', '永久'])}`,
    `${agency}　${pick(r, ['函', '書函', '開會通知單'])}`,
    `地址：臺北市中正區博愛路${int(r, 1, 200)}號`,
    `聯絡人及電話：${pick(r, NAMES)} (02)${int(r, 2300, 2399)}-${int(r, 1000, 9999)}`,
    `受文者：${pick(r, AGENCIES)}${pick(r, UNITS)}`,
    `發文日期：${rocDate(r)}`,
    `發文字號：${agency.slice(0, 2)}${pick(r, ['政', '資', '秘', '綜'])}字第${int(r, 1130000000, 1159999999)}號`,
    `速別：${pick(r, ['普通件', '速件', '最速件'])}`,
    `密等及解密條件或保密期限：${secrecyField(r, marked)}`,
    `附件：${pick(r, ['如文', '無', '會議資料乙份', '檢討報告乙份（含電子檔）'])}`,
    `主旨：${sentence(r, 1).replace(/。$/, '')}，請查照。`,
    '說明：',
  ];
  const items = int(r, 2, 5);
  for (let i = 0; i < items; i++) {
    lines.push(`${CN_NUM[i]}、${sentence(r)}`);
    if (r() < 0.3) {
      for (let j = 0; j < int(r, 2, 3); j++) {
        lines.push(`（${CN_NUM[j]}）${sentence(r, 1)}`);
      }
    }
  }
  lines.push(`正本：${pick(r, AGENCIES)}、${pick(r, AGENCIES)}`);
  lines.push(`副本：本部${pick(r, UNITS)}、${pick(r, UNITS)}（均含附件）`);
  return lines;
}

function memo(r: () => number, marked: boolean): string[] {
  const lines = [
    `簽　於${pick(r, UNITS)}　${rocDate(r).replace('中華民國', '')}`,
    `主旨：${sentence(r, 1).replace(/。$/, '')}，簽請核示。`,
    '說明：',
  ];
  const items = int(r, 2, 4);
  for (let i = 0; i < items; i++) {
    lines.push(`${CN_NUM[i]}、${sentence(r)}`);
  }
  if (marked) {
    lines.push(`${CN_NUM[items]}、本案底價${int(r, 100, 900)}萬元，請依規定保密。【密】`);
  }
  lines.push('擬辦：');
  lines.push(`${CN_NUM[0]}、${sentence(r, 1)}`);
  lines.push(`${CN_NUM[1]}、奉核後，依規定辦理。`);
  lines.push('敬陳　主任秘書　轉陳　部長');
  return lines;
}

function minutes(r: () => number, marked: boolean): string[] {
  const lines = [
    `${pick(r, AGENCIES)}${int(r, 113, 115)}年第${int(r, 1, 12)}次${pick(r, ['業務會報', '保密工作會報', '資安工作小組會議', '採購評選會議'])}紀錄`,
    `時間：${int(r, 113, 115)}年${int(r, 1, 12)}月${int(r, 1, 28)}日（星期${pick(r, ['一', '二', '三', '四', '五'])}）上午${int(r, 8, 11)}時`,
    `地點：本部第${int(r, 1, 5)}會議室`,
    `主持人：${pick(r, NAMES)}${pick(r, ['次長', '主任秘書', '處長'])}　　　　　紀錄：${pick(r, NAMES)}`,
    '出席人員：如簽到表',
  ];
  if (marked && r() < 0.5) {
    lines.push('本會議因具機敏性質，與會人員應行保密。');
  }
  lines.push(`${ORDINAL_HEADS[0]}、主席致詞：${sentence(r, 2)}`);
  lines.push(`${ORDINAL_HEADS[1]}、報告事項：`);
  const reports = int(r, 2, 5);
  for (let i = 0; i < reports; i++) {
    const portion = marked ? pick(r, ['【密】', '【機】', '【無】']) : '';
    lines.push(`（${CN_NUM[i]}）${pick(r, UNITS)}報告：${sentence(r)}${portion}`);
  }
  lines.push(`${ORDINAL_HEADS[2]}、討論事項：`);
  const cases = int(r, 1, 3);
  for (let i = 0; i < cases; i++) {
    lines.push(`案由${CN_NUM[i]}：${sentence(r, 1)}`);
    lines.push(`說明：(${i + 1})${sentence(r)}(${i + 2})${sentence(r, 1)}`);
    lines.push(`決議：${pick(r, ['照案通過。', '修正通過。', '請權責單位再行研議後提下次會議討論。'])}`);
  }
  if (marked && r() < 0.5) {
    lines.push('〔機密〕');
    lines.push(`${TIAN[0]}、${sentence(r, 2)}`);
    lines.push('〔/機密〕');
  }
  lines.push(`${ORDINAL_HEADS[3]}、臨時動議：無。`);
  lines.push(`${ORDINAL_HEADS[4]}、散會：上午${int(r, 10, 12)}時${int(r, 0, 5)}0分。`);
  return lines;
}

function regulation(r: () => number): string[] {
  const lines = [`${pick(r, REG_TITLES)}`, `${rocDate(r)}${pick(r, AGENCIES)}令修正發布`];
  const articles = int(r, 4, 10);
  let no = int(r, 1, 30);
  for (let i = 0; i < articles; i++, no++) {
    const body = pick(r, REG_CLAUSES);
    const numeral =
      no <= 10
        ? CN_NUM[no - 1]
        : `${CN_NUM[Math.floor(no / 10) - 1] === '一' ? '' : CN_NUM[Math.floor(no / 10) - 1]}十${no % 10 ? CN_NUM[(no % 10) - 1] : ''}`;
    lines.push(`第${numeral}條　${body}。`);
    if (r() < 0.3) {
      lines.push(`　　${pick(r, REG_CLAUSES)}。`);
    }
  }
  return lines;
}

/**
 * About `bytes` bytes (UTF-8) of government documents one after another, separated by blank lines as they are when
 * pasted into a mail body or extracted from an attachment; `markRate` of the documents carry a mark.
 */
export function govProse(bytes: number, markRate = 0.03, seed = 1150): string {
  const r = rng(seed);
  const docs: string[] = [];
  let size = 0;
  while (size < bytes) {
    const marked = r() < markRate;
    const kind = r();
    const lines =
      kind < 0.35
        ? letter(r, marked)
        : kind < 0.55
          ? memo(r, marked)
          : kind < 0.85
            ? minutes(r, marked)
            : regulation(r);
    const doc = lines.join('\n');
    docs.push(doc);
    size += Buffer.byteLength(doc, 'utf8') + 2;
  }
  return docs.join('\n\n');
}
