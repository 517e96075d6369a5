/** The domain's public face: the cycle and agreement machines, errors, the clock, money and England's calendar. */
export * from './errors';
export * from './error-status';
export * from './cycle';
export * from './clock';
export * from './email';
export * from './calendar/working-days';
export * from './money';
export * from './agreement/agreement.machine';
export * from './personal/free-texts';
export * from './organisation-names';
