#!/usr/bin/env bash
# Draws assets/plans/mine-a-plan.png, the schematic surface plan the mine scenarios show behind
# the fleet view's map ([view] background). Schematic and illustrative: drawn for the bundled
# scenarios around their two sites, not a survey of a real mine. 1,200 x 1,113 pixels over
# [-26.2000, 28.0420] (north-west) to [-26.2150, 28.0600] (south-east), about 1.5 m a pixel;
# the north shaft (-26.2041, 28.0473) is at pixel (353, 304), the south ramp (-26.2109, 28.0551)
# at (873, 809). Needs ImageMagick (scripts/setup.sh installs it); run from anywhere.
set -euo pipefail
out="$(dirname "$0")/../assets/plans/mine-a-plan.png"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
line='#3b4a63'
text='#8a9bb5'
convert -size 1200x1113 xc:'#0b1220' -font "$font" \
  -fill none -stroke "$line" -strokewidth 3 -draw "stroke-dasharray 18 10 polygon 40,40 1160,60 1170,1070 60,1080" \
  -stroke '#2a3547' -strokewidth 22 -draw "polyline 353,304 520,420 700,640 873,809" \
  -stroke '#2a3547' -strokewidth 12 -draw "polyline 520,420 700,300" -draw "polyline 700,640 380,720" \
  -stroke "$line" -strokewidth 3 \
  -draw "rectangle 338,289 368,319" -draw "circle 180,180 196,180" \
  -draw "polygon 873,789 893,825 853,825" \
  -draw "rectangle 620,200 780,300" -draw "ellipse 1000,210 130,90 0,360" \
  -draw "rectangle 300,700 460,780" -draw "rectangle 500,540 545,580" -draw "rectangle 110,920 260,1000" \
  -draw "line 1110,150 1110,90" -draw "polygon 1110,70 1100,95 1120,95" \
  -stroke none -fill "$text" -pointsize 22 \
  -draw "text 1102,60 'N'" \
  -draw "text 380,300 'No. 1 shaft headframe'" \
  -draw "text 205,175 'Ventilation shaft'" \
  -draw "text 905,815 'Decline portal'" \
  -draw "text 630,330 'Processing plant'" \
  -draw "text 900,330 'Tailings storage'" \
  -draw "text 305,810 'Workshop and stores'" \
  -draw "text 555,570 '33 kV substation'" \
  -draw "text 115,1030 'Offices'" \
  -draw "text 600,470 'Haul road'" \
  -pointsize 18 -draw "text 70,1100 'Mine A surface plan: schematic, drawn for the bundled scenarios (not a survey)'" \
  "PNG32:$out"
echo "wrote $out"
