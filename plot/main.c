/* plot: draw figures from indicator tables. All the work is in plot_lib. */
#include "plot.h"

int main(int argc, char **argv)
{
    return plot_cmd_main(argc, argv);
}
