// Package journal writes the giornale degli eventi: Record masks passwords,
// cuts bodies and queues without blocking; a background loop stores
// batches and purges old events. Writer satisfies soap.Recorder by shape,
// so neither package imports the other.
package journal
