/*!
PNG images of constants, status maps, histograms and calibrated frames.
*/
