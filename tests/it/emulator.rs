//! Starts orgctl's emulator for one test on a free 127.0.0.1 port and stops it on drop.
