#ifndef SIMULATE_CCAIRO_SHIM_H
#define SIMULATE_CCAIRO_SHIM_H
#include <cairo/cairo.h>
#include <cairo/cairo-svg.h>
#include <cairo/cairo-pdf.h>
/* Our PNG encoder (Sources/Rendering/PNGEncoder.swift) deflates cairo's pixels with zlib, which cairo's
   own PNG support already depends on (libcairo2 -> libpng16 -> zlib1g). */
#include <zlib.h>
#endif
