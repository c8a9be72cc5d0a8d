# rebooted.sh MARKER — which system answered: the one going down still has the marker.
if [ -e "$1" ]; then echo still-up; else echo rebooted; fi
