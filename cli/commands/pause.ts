/** `order-pipeline pause`: stop delivering queued files to the processor (maintenance). */
import { runDelivery } from '../delivery-control.ts';

export const summary = 'stop delivery to the processor (files keep queuing); undo with resume';

export const run = (argv: string[]): Promise<number> => runDelivery('pause', argv);
