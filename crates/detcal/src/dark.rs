/*!
Dark processing: per-pixel pedestals, rms, min, max and bad-pixel status from dark frames,
with psana's two-stage gated algorithm (LCLS-I `DarkProc`).
*/
