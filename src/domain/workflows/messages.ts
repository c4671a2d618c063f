/**
 * The words of every feedback a workflow gives: a code with parameters, and its English
 * text. The screens render codes through the i18n library (this catalog is its English
 * resource, other languages translate the same codes); the domain renders English itself
 * for logs and tests. Templates use `{{name}}`; a parameter whose value starts with `@`
 * names another code (e.g. `@what.tote`), rendered first with the same parameters.
 */
export const FEEDBACK_EN = {
  // What a scan was, inside other messages.
  'what.goods': 'item {{value}}',
  'what.pallet': 'pallet {{value}}',
  'what.location': 'location {{value}}',
  'what.tote': 'tote {{value}}',
  'what.badge': 'badge of {{value}}',
  'what.unreadable': 'an unreadable code',
  // Scan input.
  'scan.cannotUse': 'Cannot use "{{display}}": {{why}}',
  'scan.unknown': 'Not a code this app knows: "{{display}}"',
  'scan.needsSymbologyId':
    '"{{display}}" looks like a GS1 label read without its symbology identifier: open Scanner set-up and turn on "GS1 without identifier", or set the scanner to send identifiers',
  'scan.repeat': 'Same code again within a moment: not counted twice ({{display}})',
  'scan.fragment': 'Only part of a scan arrived ("{{display}}"): nothing was done. Scan again; if it keeps happening, check the end key in Scanner set-up',
  'scan.notSaved': 'This scan was NOT saved: {{why}}',
  'qty.notWhole': 'Quantity must be a whole number from {{min}} to {{max}}, not "{{text}}"',
  'qty.range': 'Quantity must be from {{min}} to {{max}}, not {{qty}}',
  'qty.thenScanGoods': '{{qty}} units: now scan the goods',
  'qty.thenScanItem': '{{qty}} units: now scan the item',
  'item.unknown': 'Unknown item {{gtin}}: not in the catalog',
  'item.unknownSetAside': 'Unknown item {{gtin}}: not in the catalog; set it aside',
  'item.unknownAskSupervisor': 'Unknown item {{gtin}}: not in the catalog; ask a supervisor',
  'location.unknown': 'Unknown location {{location}}',
  // Pick.
  'pick.toteFirst': 'Scan a tote first, not {{what}}',
  'pick.toteBound': 'Tote {{tote}} is for order {{order}}',
  'pick.toteAlready': 'Tote {{tote}} is already on this order',
  'pick.wrongTote': 'Wrong tote: order {{order}} is on tote {{tote}}',
  'pick.complete': 'Order {{order}} is complete: nothing more to pick',
  'pick.wrongBin': 'Wrong bin: this is {{scanned}}, go to {{bin}}',
  'pick.alreadyAtBin': 'Already at bin {{bin}}',
  'pick.atBin': 'Bin {{bin}}: pick {{qty}} × {{name}}',
  'pick.notExpected': 'Not expected here: {{what}}',
  'pick.binFirst': 'Scan bin {{bin}} before the item',
  'pick.wrongItem': 'Wrong item: {{name}} ({{sku}}); this line wants {{wantName}} ({{wantSku}})',
  'pick.tooMany': 'Too many: {{qty}} scanned, the line needs {{need}} more',
  'pick.held': '{{qty}} × {{name}} into tote {{tote}}',
  'pick.heldToGo': '{{qty}} × {{name}} into tote {{tote}}, {{left}} to go',
  'pick.quantityFirst': 'Scan the tote and the bin before keying a quantity',
  'pick.tooManyKeyed': 'Too many: the line needs {{need}} more, not {{qty}}',
  'pick.qtySet': '{{qty}} units: now scan one {{name}}',
  'pick.shortFirst': 'Scan the tote and the bin before reporting a short',
  'pick.foundBelowScanned': 'You already scanned {{scanned}} from this bin for this line: the bin held at least {{scanned}}',
  'pick.notShort': 'The bin holds {{found}} and the line needs {{qty}}: that is not a short; scan the items',
  'pick.shortAsk': 'Short {{missing}} of {{name}} at {{bin}}? Confirm or cancel',
  'pick.shortNone': 'No short is waiting to be confirmed',
  'pick.shortPending': 'Confirm or cancel the short first',
  'pick.shortCancelled': 'Short cancelled: nothing recorded',
  'pick.shorted': 'Short {{missing}} × {{name}} at {{bin}}: a count is raised for the bin',
  'pick.nothingToUndo': 'Nothing to undo on this tote',
  'pick.notOnTote': 'That pick is not on this tote',
  'pick.alreadyUndone': 'That pick is already undone',
  'pick.stillSaving': 'That pick is still being saved: try the undo again',
  'pick.undone': 'Undone: {{qty}} × {{name}} back to bin {{bin}}',
  'pick.shortUndone': 'Short taken back: {{missing}} × {{name}} at {{bin}} are wanted on this line again',
  'pick.shortAlreadyUndone': 'That short is already taken back',
  'pick.noSuchShort': 'That short is not on this pick list',
  'prompt.pickTote': 'Scan a tote for order {{order}}',
  'prompt.pickDone': 'Order {{order}} is complete on tote {{tote}}',
  'prompt.goToBin': 'Go to bin {{bin}}',
  'prompt.pick': 'Pick {{qty}} × {{name}} ({{sku}})',
  // Blind count.
  'count.alreadyRecorded': 'The count of {{bin}} is already recorded',
  'count.wrongBin': 'Wrong bin: this is {{scanned}}, the count is for {{bin}}',
  'count.alreadyCounting': 'Already counting {{bin}}',
  'count.started': 'Counting {{bin}}: scan or key every item in the bin',
  'count.binFirst': 'Scan bin {{bin}} first, not {{what}}',
  'count.notExpected': 'Not expected in a count: {{what}}',
  'count.counted': '{{name}}: {{total}} counted',
  'count.binBeforeQty': 'Scan bin {{bin}} before keying a quantity',
  'count.binBeforeKey': 'Scan bin {{bin}} before keying a count',
  'count.unknownSku': 'Unknown SKU "{{sku}}": pick one from the catalog',
  'count.binToStart': 'Scan bin {{bin}} to start the count',
  'count.nothing': 'Nothing counted: scan the items, or key 0 for an item that is not there',
  'count.recorded': 'Count of {{bin}} recorded: {{summary}}',
  // Receiving.
  'receiving.finishedAlready': 'This receipt is finished: open it again to receive more',
  'receiving.confirmQty': '{{qty}} × {{name}}: confirm to receive',
  'receiving.confirmLot': '{{qty}} × {{name}} (lot {{lot}}): confirm to receive',
  'receiving.confirmExpiry': '{{qty}} × {{name}} (expiry {{expiry}}): confirm to receive',
  'receiving.confirmLotExpiry': '{{qty}} × {{name}} (lot {{lot}}, expiry {{expiry}}): confirm to receive',
  'receiving.noLabel': 'No label to clear',
  'receiving.cleared': 'Label cleared: nothing received',
  'receiving.confirmBeforeFinish': 'Confirm or clear the scanned label before finishing',
  'receiving.finishedShort': 'Finished with {{count}} line(s) short: {{lines}}',
  'receiving.finished': 'Receipt {{receipt}} finished',
  'receiving.palletNotOnReceipt': 'Pallet {{sscc}} is not on receipt {{receipt}}',
  'receiving.alreadyOnPallet': 'Already on pallet {{sscc}}',
  'receiving.pallet': 'Pallet {{sscc}}: scan its goods labels',
  'receiving.notExpected': 'Not expected when receiving: {{what}}',
  'receiving.confirmFirst': 'Confirm or clear the scanned label first',
  'receiving.notOnReceipt': '{{name}} ({{sku}}) is not on receipt {{receipt}}: set it aside',
  'receiving.scanFirst': 'Scan a goods label before confirming',
  'receiving.receivedOver': 'Received {{qty}} × {{name}} into QC: over by {{over}} ({{received}}/{{expected}}), flagged',
  'receiving.received': 'Received {{qty}} × {{name}} into QC: {{received}}/{{expected}}',
  'receiving.palletOpens': 'Pallet {{sscc}}: receipt {{receipt}} from {{supplier}}',
  'receiving.palletNoReceipt': 'Pallet {{sscc}} is on no open receipt',
  'receiving.scanPallet': 'Scan a pallet label (SSCC), not {{what}}',
  // Returns.
  'returns.notItem': 'Scan the returned item, not {{what}}',
  'returns.item': '{{qty}} × {{name}}: pick its condition',
  'returns.qty': 'Quantity {{qty}}',
  'returns.refTooLong': 'Order or RMA is longer than {{max}} characters',
  'returns.badCondition': 'Condition must be one of {{list}}',
  'returns.noteTooLong': 'Note is longer than {{max}} characters',
  'returns.itemFirst': 'Scan the returned item first',
  'returns.conditionFirst': 'Pick the condition of the item',
  'returns.quarantined': '{{qty}} × {{name}} ({{condition}}) quarantined at {{area}}',
  'condition.sealed': 'sealed',
  'condition.opened': 'opened',
  'condition.damaged': 'damaged',
  'condition.defective': 'defective',
  'condition.wrong_item': 'wrong item',
  // Supervisor decisions.
  'decide.onlySupervisor': 'Only a supervisor may decide: ask one to sign in',
  'decide.notInQuarantine': 'Return {{id}} is not in quarantine',
  'decide.alreadyDecided': 'Return {{id}} is already decided',
  'decide.binNotItem': 'Scan the bin for the resale, not {{what}}',
  'decide.pickReturn': 'Pick a return first',
  'decide.notBin': '{{location}} is not a bin: resale goes into a bin',
  'decide.binChosen': 'Bin {{bin}} chosen: now tap "Ready for resale"',
  'decide.reasonTooLong': 'Reason is longer than {{max}} characters',
  'decide.scanBinFirst': 'First scan the bin the item goes back into, then tap "Ready for resale"',
  'decide.needReason': 'A write-off needs a reason',
  'decide.resold': '{{qty}} × {{name}} ready for resale in {{bin}}',
  'decide.writtenOff': '{{qty}} × {{name}} written off: {{reason}}',
  'decide.countDecided': 'Count {{id}} is already decided',
  'decide.countApproved': 'Count of {{bin}} approved: the bin is corrected',
  'decide.countRecount': 'Count of {{bin}} sent back for a recount',
  // QC release.
  'qc.cleared': 'Cleared: scan the goods',
  'qc.goods': '{{qty}} × {{name}}: scan the destination bin',
  'qc.binFirst': 'Scan the destination bin for {{name}} first, or clear',
  'qc.notExpected': 'Not expected in putaway: {{what}}',
  'qc.dockNotBin': 'Scan a bin for {{name}}, not the dock',
  'qc.alreadyFrom': 'Already releasing from {{dock}}',
  'qc.from': 'Releasing from QC at {{dock}}',
  'qc.goodsFirst': 'Scan the goods before the bin {{bin}}',
  'qc.notBin': '{{location}} is not a bin: put goods away into a bin',
  'qc.released': 'Released {{qty}} × {{name}} from QC into {{bin}}',
  // Sign-in.
  'signin.needUser': 'Enter your user name or scan your badge',
  'signin.needPin': 'Enter your PIN',
  'signin.failed': 'Sign-in failed: {{why}}',
  'signin.deviceReset': 'A supervisor reset this handheld. Sign in again to re-register it and send the scans below.',
  'signin.badge': 'Badge {{user}}: enter your PIN',
  'signin.scanBadge': 'Scan your badge (U:name) to sign in',
  'signin.offline': 'Signed in without the network, until {{until}}: scans are kept on this handheld and sent when the network is back',
  'signin.offlineUnknown': 'No network, and {{user}} has not signed in online on this handheld: offline sign-in needs one online sign-in here first',
  'signin.offlineExpired': 'No network, and the offline sign-in of {{user}} ran out at {{until}}: sign in when the network is back',
  'signin.offlineLocked': 'Offline sign-in is locked after too many wrong PINs: sign in when the network is back',
  'signin.offlineWrong': 'Wrong PIN: {{left}} more tries before offline sign-in locks',
  'signin.backOnline': 'Back online: signed in to the server, waiting scans are being sent',
} as const;

export type FeedbackCode = keyof typeof FEEDBACK_EN;
export type FeedbackParams = Readonly<Record<string, string | number>>;

/** Whether a text is one of the feedback codes. */
export function isFeedbackCode(code: string): code is FeedbackCode {
  return Object.hasOwn(FEEDBACK_EN, code);
}

/**
 * Renders a template with its parameters, resolving `@code` parameters through `lookup`
 * first: the one rule both the domain's English and the screens' words (src/ui/i18n) follow.
 */
export function renderTemplate(template: string, params: FeedbackParams, lookup: (code: string, params: FeedbackParams) => string): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'string' && value.startsWith('@') ? lookup(value.slice(1), params) : String(value);
  });
}

/** The English text of a feedback code. */
export function englishOf(code: FeedbackCode, params: FeedbackParams = {}): string {
  const lookup = (c: string, p: FeedbackParams): string => (isFeedbackCode(c) ? renderTemplate(FEEDBACK_EN[c], p, lookup) : c);
  return renderTemplate(FEEDBACK_EN[code], params, lookup);
}
