/**
 * How the CLI shows outside text (keys, values, reasons, subjects, AWS messages): through the
 * processor's one escaper (functions/order-processor/reports/inert.ts; docs/operations.md, "What
 * you read is inert"). Pure.
 */
import { escapeControls } from '../../functions/order-processor/index.ts';

export { escapeControls, quoted } from '../../functions/order-processor/index.ts';

/**
 * Text of several lines (a usage message, an alert e-mail, a report), each line escaped: our own
 * line breaks stay, while outside text can neither add a line nor hide or reorder one. JSON text
 * stays valid JSON (JSON.stringify never leaves a line break inside a string).
 */
export const inertLines = (text: string): string => text.split('\n').map(escapeControls).join('\n');
