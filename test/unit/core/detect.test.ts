import { detectSegment } from '../../../src/core/detect';
import type { Finding, SegmentPosition } from '../../../src/core/types';

const scan = (text: string, position: SegmentPosition = 'body'): Finding[] =>
  detectSegment({ location: position === 'subject' ? 'subject' : 'body', text, position });
const rules = (text: string, position?: SegmentPosition): string[] =>
  scan(text, position).map((f) => `${f.rule}:${f.level}`);
const levels = (text: string, position?: SegmentPosition): string[] => scan(text, position).map((f) => f.level);

describe('detectSegment: the 公文 field', () => {
  it('reads a 密等 column at its real index behind a long header, up to a row whose cell there is the label', () => {
    const header = `${Array.from({ length: 30 }, (_, i) => `第${i}欄之欄位說明名稱`).join(',')},密等,速別`;
    const row = `${Array.from({ length: 30 }, () => '資料').join(',')},密,速件`;
    expect(rules(`${header}\n${row}`)).toEqual(['field.classification:密']);
    expect(rules('文號,主旨,密等,速別\n001,有關密等標示事宜,普通,普通件\n002,雷達部署,密,最速件')).toEqual([
      'field.classification:密',
    ]);
    // A header too long to find its start: every cell below is read rather than none (fail closed).
    const huge = `${Array.from({ length: 1200 }, (_, i) => `欄位${i}`).join(',')},密等`;
    expect(levels(`${huge}\n${Array.from({ length: 1200 }, () => '資料').join(',')},密`)).toEqual(['密']);
    // Beside them: a second header row (the label in the column) starts a new table, read on its own.
    expect(rules('文號,密等\n001,普通\n文號,密等\n002,機密')).toEqual(['field.classification:機密']);
  });

  it('reads the level and the declassification condition', () => {
    expect(rules('密等及解密條件或保密期限：機密（本件於公布時解密）')).toEqual(['field.classification:機密']);
    expect(rules('密等及解密條件或保密期限: 極機密')).toEqual(['field.classification:極機密']);
    expect(rules('密等及解密條件或保密期限：密（本件至115年12月31日解密）')).toEqual(['field.classification:密']);
  });

  it('does not count a blank field, 普通 or 無', () => {
    expect(scan('密等及解密條件或保密期限：\n附件：如文')).toEqual([]);
    expect(scan('密等及解密條件或保密期限：普通')).toEqual([]);
    expect(scan('密等及解密條件或保密期限：無')).toEqual([]);
  });

  it('reads a field label broken across lines and padded with spaces', () => {
    expect(rules('密等及解密條件\n或保密期限 ： 機 密')).toEqual(['field.classification:機密']);
  });

  it('is whole-message: never strippable', () => {
    expect(scan('密等及解密條件或保密期限：密')[0]?.strippable).toBe(false);
  });
});

describe('detectSegment: the 公文 field fails closed', () => {
  it('reads the value of a blank field on the next line, but never across a blank line', () => {
    // A glossary is a paragraph of its own, not the value of the blank field above it (found by the strip property).
    expect(scan('密等：\n\n機密 | Confidential\n極機密 | Secret')).toEqual([]);
    // Beside it: the value wrapped onto the next line is the field's, and a level standing alone after the break is a mark.
    expect(rules('密等：\n機密')).toEqual(['field.classification:機密']);
    expect(rules('密等及解密條件或保密期限：\n\n機密')).toEqual(['level.standalone:機密']);
  });

  it('takes a value that is no recognised level at the level it most resembles', () => {
    expect(rules('密等及解密條件或保密期限：極機密件')).toEqual(['field.classification:極機密']);
    expect(rules('密等及解密條件或保密期限：機蜜')).toEqual(['field.classification:機密']);
    expect(rules('密等及解密條件或保密期限：絶対機祕')).toEqual(['field.classification:絕對機密']);
    expect(rules('密等及解密條件或保密期限：機．密')).toEqual(['field.classification:機密']);
    expect(rules('密等及解密條件或保密期限：極-機-密（本件於公布時解密）')).toEqual(['field.classification:極機密']);
    expect(rules('密等及解密條件：極機密件')).toEqual(['field.classification:極機密']);
  });

  it('takes any other text a human typed into the field as at least 密', () => {
    expect(rules('密等及解密條件或保密期限：請依規定辦理')).toEqual(['field.classification:密']);
    expect(rules('密等及解密條件或保密期限：限閱')).toEqual(['field.classification:密']);
    expect(rules('密等及解密條件或保密期限：（本件於公布時解密）')).toEqual(['field.classification:密']);
  });

  it('still reads blank, 普通 and 無 as unclassified, the next header line included', () => {
    expect(scan('密等及解密條件或保密期限：\n主旨：檢送會議紀錄')).toEqual([]);
    expect(scan('密等及解密條件或保密期限：　　附件：如文')).toEqual([]);
    expect(scan('密等及解密條件或保密期限：無（本件屬一般公務資訊）')).toEqual([]);
    expect(scan('密等及解密條件或保密期限：OOO（本件至OOO年OO月OO日解密）')).toEqual([]);
    expect(rules('密等及解密條件或保密期限：OOO（本件於公布時解密）')).toEqual(['field.classification:密']);
    expect(rules('密等及解密條件或保密期限：非機密')).toEqual(['field.classification:機密']);
    expect(rules('密等及解密條件或保密期限：密　附件：如文')).toEqual(['field.classification:密']);
  });

  it('does not take the template line that lists every option', () => {
    expect(scan('密等及解密條件或保密期限：絕對機密、極機密、機密、密（無則空白）')).toEqual([]);
    expect(scan('| 密等 | 絕對機密／極機密／機密／密 |')).toEqual([]);
    // Beside it: a chosen level with its condition is still the field.
    expect(rules('密等及解密條件或保密期限：機密（本件於公布時解密）\n附件：如文')).toEqual([
      'field.classification:機密',
    ]);
  });

  it('reads the field as adjacent cells: CSV, TSV, markdown, a table cell on the next line', () => {
    expect(rules('項目,內容\n密等及解密條件或保密期限,密\n')).toEqual(['field.classification:密']);
    expect(rules('"密等及解密條件或保密期限","極機密件"')).toEqual(['field.classification:極機密']);
    expect(rules('密等及解密條件或保密期限\t密\t備註')).toEqual(['field.classification:密']);
    expect(rules('| 欄位 | 值 |\n|---|---|\n| 密等及解密條件或保密期限 | 密 |')).toEqual(['field.classification:密']);
    expect(rules('密等及解密條件或保密期限\n密\n')).toEqual(['field.classification:密']);
    expect(rules('密等,機密')).toEqual(['field.classification:機密']);
    expect(rules('密等及解密條件或保密期限\t極')).toEqual(['field.classification:極機密']);
  });

  it('reads the field as a column: each row below a header that names it holds a value', () => {
    const register =
      '文號,主旨,密等及解密條件或保密期限,速別\n1150001,採購案,密,普通件\n1150002,會議,,普通件\n1150003,通知,普通,速件';
    const found = scan(register);
    expect(found.map((f) => `${f.rule}:${f.level}:${register.slice(f.offset!, f.offset! + f.length!)}`)).toEqual([
      'field.classification:密:密',
    ]);
    expect(rules('| 文號 | 密等 | 速別 |\n|---|---|---|\n| 1150001 | 極機密件 | 普通件 |')).toEqual([
      'field.classification:極機密',
    ]);
    expect(rules('文號\t密等\t速別\n1150001\t密\t普通件')).toEqual(['field.classification:密']);
    // A blank line ends the table; a cell that only mentions the label heads no column.
    expect(scan('文號,密等,速別\n1150001,普通,速件\n\n其他,密,說明')).toEqual([]);
    expect(scan('項目,密等說明\n1,密')).toEqual([]);
  });

  it('after a short label, reads a level followed by a note as that level, and leaves an unread value to the other rules', () => {
    expect(rules('密等：機密 請勿外流\n主旨：雷達部署')).toEqual(['field.classification:機密']);
    expect(rules('密等：極機密 限本部')).toEqual(['field.classification:極機密']);
    expect(rules('機密等級：極機密 請於閱後銷毀')).toEqual(['field.classification:極機密']);
    // A value the short label does not read claims nothing: a mark inside it is still found.
    expect(rules('密等：詳見下方 機密（本件於公布時解密）')).toEqual(['level.declassification:機密']);
    // Beside them: a level glued into a word (機密性) and a rating are no level.
    expect(scan('密等：機密性高')).toEqual([]);
    expect(scan('機密等級：高 請評估')).toEqual([]);
  });

  it('takes the ticked option of a checkbox form, and a choice left open among levels at its highest', () => {
    expect(rules('密等：☑機密 □普通')).toEqual(['field.classification:機密']);
    expect(rules('密等及解密條件或保密期限：☑機密 □極機密 □絕對機密')).toEqual(['field.classification:機密']);
    expect(rules('密等及解密條件或保密期限：■機密　□密')).toEqual(['field.classification:機密']);
    expect(rules('密等：[V]機密 [ ]普通')).toEqual(['field.classification:機密']);
    expect(rules('密等及解密條件或保密期限：機密或極機密')).toEqual(['field.classification:極機密']);
    // Beside them: 普通 ticked, and the blank form that lists every option, are not marks.
    expect(scan('密等：☑普通 □機密')).toEqual([]);
    expect(scan('密等及解密條件或保密期限：□絕對機密 □極機密 □機密 □密')).toEqual([]);
    expect(scan('密等及解密條件或保密期限：絕對機密、極機密、機密、密（無則空白）')).toEqual([]);
  });

  it('in a cell, counts only a value that reads as a level: column names and ISMS ratings are not levels', () => {
    expect(scan('文號,密等及解密條件或保密期限,速別')).toEqual([]);
    expect(scan('資產名稱\t機密等級\t完整性等級\n人事資料庫\t高\t中')).toEqual([]);
    expect(scan('機密等級：高')).toEqual([]);
    expect(scan('密等,密碼更新日期')).toEqual([]);
    expect(scan('本件無密等。')).toEqual([]);
  });
});

describe('detectSegment: header rows, listings and training text are not marks', () => {
  it('takes a single bilingual pair as a banner, whatever its case: a glossary row needs other pairs beside it', () => {
    expect(rules('極機密 Top Secret\n作戰計畫如下')).toContain('level.standalone:極機密');
    expect(rules('機密\nConfidential\n會議資料如附件')).toContain('level.standalone:機密');
    expect(rules('機密 / Confidential\n會議資料')).toContain('level.standalone:機密');
    expect(levels('機密-Confidential', 'name')).toContain('機密');
    // Beside them: pairs of different levels, as lines, stacked cells or table rows, are a glossary.
    expect(scan('絕對機密 Top Secret\n極機密 Secret\n機密 Confidential')).toEqual([]);
    expect(scan('絕對機密\nTop Secret\n極機密\nSecret\n機密\nConfidential')).toEqual([]);
    expect(scan('絕對機密,Top Secret,國家機密保護法第4條第1款\n極機密,Secret,國家機密保護法第4條第2款')).toEqual([]);
  });

  it('takes the ISMS triad only as whole cells of a delimited row', () => {
    expect(rules('機密：本報告討論雷達系統的 完整性 與效能')).not.toEqual([]);
    expect(rules('作戰計畫 機密 完整性 檢核')).toContain('level.inline:機密');
    expect(levels('機密 ｜ 完整性 稽核報告', 'header')).toContain('機密');
    expect(rules('機密\n完整性\n本報告說明系統之檢核結果')).toContain('level.standalone:機密');
    // Beside them: the triad as padded cells (two spaces, ideographic space, tab, comma, pipe) is a header row.
    expect(scan('資產名稱  機密  完整性  可用性')).toEqual([]);
    expect(scan('資產 | 機密 | 完整性 | 可用性')).toEqual([]);
    expect(scan('資產\t機密\t可用性')).toEqual([]);
  });

  it('takes stacked levels as a listing only when three or more continue, and never in a marking position', () => {
    expect(rules('密\n機密\n會議資料如附件')).toContain('level.standalone:機密');
    expect(levels('極機密\n機密', 'header')).toEqual(['極機密', '機密']);
    expect(rules('機密 極機密\n會議資料')).not.toEqual([]);
    // Beside them: three or more stacked or listed levels are a listing.
    expect(scan('絕對機密\n極機密\n機密\n密')).toEqual([]);
    expect(scan('絕對機密、極機密、機密')).toEqual([]);
  });

  it('takes a level in a row with the other ISMS attributes as the confidentiality column', () => {
    expect(scan('資產名稱　機密　完整性　可用性\n人事資料庫　3　2　2')).toEqual([]);
    expect(scan('資產名稱,機密,完整性,可用性\n人事資料庫,3,2,2')).toEqual([]);
    expect(scan('資產名稱\t機密\t完整性\t可用性\t')).toEqual([]);
    expect(scan('機密\tIntegrity\tAvailability')).toEqual([]);
    // A table read cell by cell (an HTML <td> per line) is the same header.
    expect(scan('資產名稱\n機密\n完整性\n可用性\n\n人事資料庫\n3\n2\n2')).toEqual([]);
    // Beside them: a banner above the table, and a CSV row whose value is the level, are marks.
    expect(rules('機密\n資產名稱　完整性　可用性')).toEqual(['level.standalone:機密']);
    expect(rules('文件名稱,機密\n資產名稱,完整性')).toEqual(['level.inline:機密']);
  });

  it('takes a row of several levels as a listing', () => {
    expect(scan('絕對機密　極機密　機密　密')).toEqual([]);
    expect(scan('等級,絕對機密,極機密,機密')).toEqual([]);
    expect(scan('絕對機密 | 極機密 | 機密')).toEqual([]);
    expect(rules('極機密\n第3份／共20份')).toEqual(['level.standalone:極機密']);
    expect(scan('等級\n絕對機密\n極機密\n機密')).toEqual([]);
    expect(rules('機密\n機密')).toEqual(['level.standalone:機密', 'level.standalone:機密']);
  });

  it('takes a level paired with its English name in a table or glossary as a glossary row', () => {
    expect(scan('絕對機密　Top Secret\n極機密　Secret')).toEqual([]);
    expect(scan('機密 | Confidential\n極機密 | Secret')).toEqual([]);
    expect(scan('中文\t英文\n絕對機密\tTop Secret\n極機密\tSecret\n機密\tConfidential')).toEqual([]);
    expect(scan('絕對機密 TOP SECRET\n極機密 SECRET\n機密 CONFIDENTIAL')).toEqual([]);
    expect(scan('中文\n英文\n絕對機密\nTop Secret\n極機密\nSecret')).toEqual([]);
    expect(rules('機密\nCONFIDENTIAL\n本文件')).toEqual(['level.standalone:機密', 'english.banner:機密']);
    // Beside them: the same pair as a banner, printed in capitals or in a header, is a mark.
    expect(rules('絕對機密　TOP SECRET\n本計畫')).toEqual(['level.standalone:絕對機密']);
    expect(rules('機密 Confidential', 'header')).toContain('level.standalone:機密');
  });

  it('takes a glossary table with further columns (legal basis, secrecy period) as a glossary, under any header', () => {
    expect(scan('中文,英文,法源\n絕對機密,Top Secret,國家機密保護法第4條第1款\n極機密,Secret,第4條第2款')).toEqual([]);
    expect(scan('密等\t英譯\t最長保密期限\n絕對機密\tTop Secret\t30年\n機密\tConfidential\t10年')).toEqual([]);
    // Beside them: a register of 公文 under the same 密等 header, and a row that is the field, are marks.
    expect(rules('密等\t英譯\t最長保密期限\n機密\t會議資料\t10年')).toEqual(['field.classification:機密']);
    expect(rules('文號,密等,速別\n1150401,機密,速件')).toEqual(['field.classification:機密']);
    expect(rules('密等,機密\n主旨,預算')).toEqual(['field.classification:機密']);
  });

  it('takes declassification phrases after 例如 or 如： as examples', () => {
    expect(scan('解密條件之寫法，例如：本件於公布時解密、本件至115年12月31日解密。')).toEqual([]);
    expect(scan('保密期限之填寫方式如：「本件於決標後解密」。')).toEqual([]);
    expect(scan('例如：機密（本件於公布時解密）')).toEqual([]);
    // Beside them: the same phrase applied, after a sentence that introduced examples, is a mark.
    expect(rules('寫法例如下列。\n本件於公布時解密')).toEqual(['declassification:密']);
    expect(scan('解密條件可填如「本件於公布時解密」或「本件於決標後解密」。')).toEqual([]);
    expect(rules('檢送資料如「附件一」，本件於決標後解密。')).toEqual(['declassification:密']);
    expect(rules('機密（本件於公布時解密）')).toEqual(['level.declassification:機密']);
  });

  it('excuses only the phrase an example word introduces, never a level in another clause or after 例如下/範例檔案', () => {
    expect(rules('有關兵力部署例如東部雷達站，極機密（本件至民國120年12月31日解密）')).toEqual([
      'level.declassification:極機密',
    ]);
    expect(rules('本案例如附件一，極機密（本件至民國120年12月31日解密）')).toEqual(['level.declassification:極機密']);
    expect(rules('範例檔案已更新，機密（本件於開標後解密）')).toEqual(['level.declassification:機密']);
    expect(rules('依規定例如下：機密（本件於開標後解密）')).toEqual(['level.declassification:機密']);
    expect(rules('依保密條例：本件於公布時解密')).toEqual(['declassification:密']);
    // Beside them: the phrases a training text introduces as examples stay allowed.
    expect(scan('範例：本件於公布時解密')).toEqual([]);
    expect(scan('例如，本件於公布時解密')).toEqual([]);
    expect(scan('例如：機密（本件於公布時解密）、極機密（本件至115年12月31日解密）')).toEqual([]);
  });

  it('takes a quoted stamp as talk about the stamp', () => {
    expect(scan('密件封套應加蓋「密」戳。')).toEqual([]);
    expect(scan('公文右上角蓋「機密」章戳。')).toEqual([]);
    expect(rules('第二段說明。【機】\n第三段【無】')).toEqual(['portion:機密']);
  });
});

describe('detectSegment: levels', () => {
  it('finds a level followed by a declassification condition', () => {
    expect(rules('機密（本案三個月後解密）')).toEqual(['level.declassification:機密']);
  });

  it('finds a declassification phrase alone as at least 密', () => {
    expect(rules('附件抽存後解密')).toEqual(['declassification:密']);
  });

  it('does not take 解密 meaning "decrypt"', () => {
    expect(scan('請輸入密碼解密附件，本案檔案無法解密時請洽資訊室。')).toEqual([]);
  });

  it('finds standalone and bracketed levels', () => {
    expect(rules('極機密\n會議紀錄如下')).toEqual(['level.standalone:極機密']);
    expect(rules('【機密】本週專案會議')).toEqual(['level.bracketed:機密']);
    expect(rules('機密　第3份／共20份')).toEqual(['level.standalone:機密']);
  });

  it('counts a bare 密 only in a marking position', () => {
    expect(rules('密')).toEqual(['level.standalone:密']);
    // A bracketed bare 密 is an MND portion mark.
    expect(rules('（密）')).toEqual(['portion:密']);
    expect(rules('〔密件〕')).toEqual(['level.bracketed:密']);
    expect(rules('密　第2份', 'header')).toEqual(['level.standalone:密']);
    expect(scan('密切聯繫，嚴密防範，請勿洩密，保密到家。')).toEqual([]);
    expect(scan('密集開會')).toEqual([]);
  });

  it('ignores levels named in prose', () => {
    expect(scan('國家機密區分為「絕對機密」、「極機密」、「機密」三級，一般公務機密列為『密』等級。')).toEqual([]);
    expect(scan('各單位應加強公務機密維護，機密文件不得以電子郵件傳送。')).toEqual([]);
    expect(scan('資訊安全三要素：機密性、完整性、可用性。')).toEqual([]);
  });

  it('finds a declaration about the document', () => {
    expect(rules('本件為密件，請勿轉寄。')).toEqual(['declaration:密']);
    expect(rules('本文件屬機密文件。')).toEqual(['declaration:機密']);
  });

  it('maps each finding back to the original text even through disguises', () => {
    const text = '前言……\n機\u200b　密\n其餘';
    const [f] = scan(text);
    expect(f?.level).toBe('機密');
    expect(text.slice(f!.offset!, f!.offset! + f!.length!)).toBe('機\u200b　密');
  });
});

describe('detectSegment: portion marks', () => {
  it('maps 【密】【機】【極】【絕】 to levels and ignores 【無】', () => {
    const text = '甲段。【密】\n乙段。【無】\n丙段。【機】\n丁段。【極】\n戊段。【絕】';
    expect(rules(text)).toEqual(['portion:密', 'portion:機密', 'portion:極機密', 'portion:絕對機密']);
  });

  it('marks the paragraph as the strippable region', () => {
    const text = '第一段，無機敏內容。【無】\n第二段第一行\n第二段第二行【機】\n第三段【無】';
    const [f] = scan(text);
    expect(f?.strippable).toBe(true);
    expect(text.slice(f!.region!.start, f!.region!.end)).toBe('第二段第一行\n第二段第二行【機】');
  });

  it('ignores a list of portion marks in training prose', () => {
    expect(scan('段落結尾應標示【無】、【密】、【機】、【極】或【絕】。')).toEqual([]);
    expect(scan('標示方式：【密】【機】【極】【絕】')).toEqual([]);
  });

  it('is not strippable outside the body', () => {
    expect(scan('【密】會議通知', 'subject')[0]?.strippable).toBe(false);
  });
});

describe('detectSegment: other marks', () => {
  it('reads the watermark word with separators between its characters (機·敏·資·料) where a mark stands by place', () => {
    expect(rules('機·敏·資·料', 'watermark')).toEqual(['label.standalone:機敏']);
    expect(rules('機 ‧ 敏 ‧ 資 ‧ 料', 'header')).toEqual(['label.standalone:機敏']);
    // Beside it: the words in running prose, separated or not, are no watermark.
    expect(scan('機敏·資料庫的說明文件')).toEqual([]);
  });

  it('finds the meeting sentence with either comma', () => {
    expect(rules('本會議因具機敏性質，與會人員應行保密。')).toEqual(['meeting.secrecy-notice:機敏']);
    expect(rules('本會議因具機敏性質,與會人員應行保密')).toEqual(['meeting.secrecy-notice:機敏']);
  });

  it('finds 機敏資料 as a watermark line and 限閱 as a label', () => {
    expect(rules('機 敏 資 料')).toEqual(['label.standalone:機敏']);
    expect(rules('【內部限閱】')).toEqual(['label.bracketed:機敏']);
    expect(scan('機敏資料應加註浮水印並編號分發。')).toEqual([]);
  });

  it('finds PRC levels only with the star', () => {
    expect(rules('秘密★1年')).toEqual(['prc.level:機密']);
    expect(rules('绝密★')).toEqual(['prc.level:絕對機密']);
    expect(scan('秘密花園的祕密')).toEqual([]);
  });
});

describe('detectSegment: English', () => {
  it('counts markings in marking positions', () => {
    expect(rules('[CONFIDENTIAL] Q3 budget', 'subject')).toEqual(['english.subject-tag:機密']);
    expect(rules('RE: SECRET: troop movements', 'subject')).toEqual(['english.subject-tag:極機密']);
    expect(rules('TOP SECRET//REL TO TWN')).toEqual(['english.banner:絕對機密']);
    expect(rules('Classification: Confidential')).toEqual(['english.classification-field:機密']);
    expect(rules('Company Confidential', 'footer')).toEqual(['english.header:機密']);
  });

  it('ignores disclaimers and prose', () => {
    expect(scan('CONFIDENTIALITY NOTICE: This e-mail is confidential and intended solely for the addressee.')).toEqual(
      [],
    );
    expect(scan('The secret to a good meeting is preparation.')).toEqual([]);
    expect(scan('Secret Santa party on Friday', 'subject')).toEqual([]);
    expect(scan('This message is confidential. If you received it in error, notify the sender.', 'footer')).toEqual([]);
  });
});

describe('detectSegment: delimited regions', () => {
  it('pairs 〔機密〕…〔/機密〕 into one strippable region that absorbs the marks inside', () => {
    const text = '前言\n〔機密〕這段是極機密內容\n第二行〔/機密〕\n結語';
    const found = scan(text);
    expect(found.map((f) => f.rule)).toEqual(['region.delimited']);
    const [f] = found;
    expect(f?.strippable).toBe(true);
    expect(text.slice(f!.region!.start, f!.region!.end)).toBe('〔機密〕這段是極機密內容\n第二行〔/機密〕');
  });

  it('accepts ASCII brackets and treats an unclosed tag as a plain mark', () => {
    expect(scan('[密]內容[/密]')[0]?.rule).toBe('region.delimited');
    expect(rules('〔機密〕沒有結尾')).toEqual(['level.bracketed:機密']);
  });
});

describe('detectSegment: large text', () => {
  it('finds marks far apart in a long text through trigger windows', () => {
    const filler = '各位同仁好，本週例行會議資料請參閱附件，並請準時出席。Please review the attached agenda.\n'.repeat(
      2000,
    );
    const text = filler + '機密\n' + filler + '內容【極】\n' + filler + '　CONFIDENTIAL　\n' + filler;
    const found = scan(text);
    expect(found.map((f) => `${f.rule}:${f.level}`)).toEqual([
      'level.standalone:機密',
      'portion:極機密',
      'english.banner:機密',
    ]);
    for (const f of found) {
      expect(text.slice(f.offset!, f.offset! + f.length!)).toMatch(/機密|【極】|CONFIDENTIAL/);
    }
  });

  it('gives the same findings in windows as on the whole text', () => {
    const pieces = ['密碼請勿外流。', '機密', '【密】', '保密宣導', '本件為密件', '機敏資料', 'SECRET', '普通文字'];
    let text = '';
    for (let i = 0; i < 3000; i++) {
      text += pieces[(i * 7) % pieces.length] + (i % 5 === 0 ? '\n' : '，');
    }
    const windowed = scan(text);
    const whole = detectSegment({ location: 'body', text, position: 'body' }, { personalData: true });
    expect(windowed.map((f) => [f.rule, f.offset])).toEqual(whole.map((f) => [f.rule, f.offset]));
  });
});
