#!/bin/sh
cat /tmp/wsrc/run1.out
exit 1
