// Every job type's handler registers itself when its module is imported; the worker imports this list.
// Add one import line per domain module that defines jobs.
export {}
