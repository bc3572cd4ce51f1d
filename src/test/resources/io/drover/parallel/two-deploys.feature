Feature: Two deploys at once, each with its own hosts
  Scenario: The German dev servers
    Given the load balancer has ip address 192.168.1.1
    And I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    When the other scenario has chosen its hosts too
    Then the nrpe check check_load should pass
    And this scenario's deployment has the load balancer 192.168.1.1 and 4 hosts

  Scenario: One US web server
    Given the load balancer has ip address 10.0.0.1
    And I want to update hosts with identity web1.us.example.com
    When the other scenario has chosen its hosts too
    Then the nrpe check check_load should pass
    And this scenario's deployment has the load balancer 10.0.0.1 and 1 host
