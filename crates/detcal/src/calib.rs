/*!
Applying constants to raw frames: pedestals, offsets, gains, common mode and masks, as psana's
`det.calib` does.
*/
