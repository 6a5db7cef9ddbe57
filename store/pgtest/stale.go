package pgtest

import (
	"os"
	"path/filepath"
	"syscall"
)

// A crashed test binary cannot remove its cluster directory (its
// postmaster dies with it, see Pdeathsig). Each directory holds a lock
// file flocked by its owner; the kernel drops the lock when the owner dies,
// so a directory whose lock can be taken is stale and is removed by the
// next cluster start.

const (
	tempPrefix = "ponte-pgtest-"
	lockName   = "owner.lock"
)

func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (c *cluster) unlock() {
	if c.lock != nil {
		c.lock.Close()
		c.lock = nil
	}
}

func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, d := range dirs {
		f, err := os.Open(filepath.Join(d, lockName))
		if err != nil {
			continue // being created right now, or not ours
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(d)
		}
		f.Close()
	}
}
