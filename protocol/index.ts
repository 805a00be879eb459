// The code the server and the browser client share (@corridor/protocol): the wire contract (message
// schemas, events, errors), the registry of entity kinds, and the pure fold of events into a picture.
// No Node imports and nothing of server/, routing/ or client/ (the project references enforce it).
export * from './kinds.js';
export * from './convoy-states.js';
export * from './tracking.js';
export * from './reroute.js';
export * from './haven-book.js';
export * from './plan-book.js';
export * from './messages.js';
export * from './events.js';
export * from './apply-event.js';
export * from './fixes.js';
export * from './server-messages.js';
export * from './reasons.js';
export * from './corridor-event.js';
export * from './languages.js';
export * from './cot-type.js';
export * from './field.js';
export * from './notice.js';
export * from './turns.js';
